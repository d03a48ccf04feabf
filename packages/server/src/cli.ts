#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { appsCreate, appsList } from './cli/apps.js';
import { keysCreate, keysList, keysRevoke, keysRotate } from './cli/keys.js';
import { migrate } from './cli/migrate.js';
import { CliError } from './cli/output.js';
import { start } from './cli/start.js';

const USAGE = `usage: chatsdk <command>

  start                                  migrate, then serve (PORT, DATABASE_URL, REDIS_URL, CHATSDK_DATA_DIR)
  migrate                                bring the store's schema up to date
  apps create NAME [--json] [--token-ttl SECONDS]
  apps list [--json]
  keys create APP [--json]               APP is an app id or name
  keys list APP [--json]
  keys revoke APP KEY_ID
  keys rotate APP KEY_ID [--overlap SECONDS] [--json]
`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'token-ttl': { type: 'string' },
      overlap: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub, ...rest] = positionals;
  const json = values.json ?? false;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return;
  }
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'start':
      return start();
    case 'migrate':
      return migrate();
    case 'apps create':
      return appsCreate(rest[0], { json, ...(values['token-ttl'] ? { tokenTtl: values['token-ttl'] } : {}) });
    case 'apps list':
      return appsList({ json });
    case 'keys create':
      return keysCreate(rest[0], { json });
    case 'keys list':
      return keysList(rest[0], { json });
    case 'keys revoke':
      return keysRevoke(rest[0], rest[1]);
    case 'keys rotate':
      return keysRotate(rest[0], rest[1], { json, ...(values.overlap ? { overlap: values.overlap } : {}) });
    default:
      throw new CliError(`unknown command "${positionals.join(' ')}"\n\n${USAGE}`, 2);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const exitCode = error instanceof CliError ? error.exitCode : 1;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`chatsdk: ${message}\n`);
  process.exit(exitCode);
});
