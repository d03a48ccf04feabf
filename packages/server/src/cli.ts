#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CliError } from './cli/output.js';

// Commands are imported when run: `apps`, `keys` and `webhooks` need not load the HTTP server to start.

const USAGE = `usage: chatsdk <command>

  start                                  migrate, then serve (PORT, DATABASE_URL, REDIS_URL, CHATSDK_DATA_DIR)
  migrate                                bring the store's schema up to date
  apps create NAME [--json] [--token-ttl SECONDS]
  apps list [--json]
  keys create APP [--json]               APP is an app id or name
  keys list APP [--json]
  keys revoke APP KEY_ID
  keys rotate APP KEY_ID [--overlap SECONDS] [--json]
  webhooks list APP [--json]
  webhooks deliveries APP WEBHOOK_ID [--status pending|delivered|failed] [--limit N] [--cursor C] [--json]
  webhooks replay APP WEBHOOK_ID --since TIME [--json]
                                         TIME is ISO-8601 or a span back from now (30m, 2h, 7d)
`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        'token-ttl': { type: 'string' },
        overlap: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        since: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // parseArgs reports bad options as ERR_PARSE_ARGS_*: a usage error, not a failure.
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code.startsWith('ERR_PARSE_ARGS_')) throw new CliError(`${(error as Error).message}\n\n${USAGE}`, 2);
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parse(argv);
  const [command, sub, ...rest] = positionals;
  const json = values.json ?? false;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return;
  }
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'start':
      return (await import('./cli/start.js')).start();
    case 'migrate':
      return (await import('./cli/migrate.js')).migrate();
    case 'apps create':
      return (await import('./cli/apps.js')).appsCreate(rest[0], {
        json,
        ...(values['token-ttl'] !== undefined ? { tokenTtl: values['token-ttl'] } : {}),
      });
    case 'apps list':
      return (await import('./cli/apps.js')).appsList({ json });
    case 'keys create':
      return (await import('./cli/keys.js')).keysCreate(rest[0], { json });
    case 'keys list':
      return (await import('./cli/keys.js')).keysList(rest[0], { json });
    case 'keys revoke':
      return (await import('./cli/keys.js')).keysRevoke(rest[0], rest[1]);
    case 'keys rotate':
      return (await import('./cli/keys.js')).keysRotate(rest[0], rest[1], {
        json,
        ...(values.overlap !== undefined ? { overlap: values.overlap } : {}),
      });
    case 'webhooks list':
      return (await import('./cli/webhooks.js')).webhooksList(rest[0], { json });
    case 'webhooks deliveries':
      return (await import('./cli/webhooks.js')).webhooksDeliveries(rest[0], rest[1], {
        json,
        ...(values.status !== undefined ? { status: values.status } : {}),
        ...(values.limit !== undefined ? { limit: values.limit } : {}),
        ...(values.cursor !== undefined ? { cursor: values.cursor } : {}),
      });
    case 'webhooks replay':
      return (await import('./cli/webhooks.js')).webhooksReplay(rest[0], rest[1], {
        json,
        ...(values.since !== undefined ? { since: values.since } : {}),
      });
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
