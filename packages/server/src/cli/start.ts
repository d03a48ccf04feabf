import { loadConfig } from '../config.js';
import { createApiKey } from '../domain/auth/api-keys.js';
import { createApp, listApps } from '../domain/auth/apps.js';
import { createChatServer } from '../server.js';
import { openStore, type Store } from '../store/index.js';
import { waitForStore } from './wait-for-store.js';

/** On an empty store, creates the "Default" app and returns its key, to be shown once. */
async function bootstrapDefaultApp(store: Store): Promise<string | undefined> {
  if ((await listApps(store)).length > 0) return undefined;
  const app = await createApp(store, { name: 'Default' });
  return (await createApiKey(store, app.id)).apiKey;
}

function banner(baseUrl: string, apiKey: string): string {
  return [
    '',
    'Created the app "Default". Its API key is shown this once; keep it in your backend:',
    '',
    `  ${apiKey}`,
    '',
    'Issue tokens for a user from your backend:',
    '',
    `  curl -s -X POST ${baseUrl}/tokens -H 'X-API-Key: ${apiKey}' \\`,
    `    -H 'Content-Type: application/json' -d '{"userId":"alice","name":"Alice"}'`,
    '',
  ].join('\n');
}

/** `chatsdk start`: migrate, bootstrap, serve until SIGINT/SIGTERM. */
export async function start(): Promise<void> {
  const config = loadConfig();
  const store = openStore(config);
  await waitForStore(store, (line) => process.stderr.write(`chatsdk: ${line}\n`));
  const server = await createChatServer({ config, store, logger: { level: config.logLevel } });
  const firstKey = await bootstrapDefaultApp(server.context.store);
  await server.listen();
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const baseUrl = `http://${host}:${port}`;
  if (firstKey) process.stdout.write(`${banner(baseUrl, firstKey)}\n`);
  process.stdout.write(
    `ChatSDK ${server.context.version} listening on ${baseUrl} (store: ${server.context.store.description}; bus: ${server.context.bus.kind})\n`,
  );
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
