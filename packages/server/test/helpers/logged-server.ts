import type { AddressInfo } from 'node:net';
import { createMemoryBus } from '../../src/bus/index.js';
import { createApiKey } from '../../src/domain/auth/api-keys.js';
import { createApp } from '../../src/domain/auth/apps.js';
import type { GatewayOptions } from '../../src/realtime/gateway.js';
import { createChatServer } from '../../src/server.js';
import type { TestServer } from './server.js';
import { createTestStorage } from './stores.js';

/** One line the server logged, as pino wrote it. */
export interface LogLine {
  level: number;
  msg?: string;
  [field: string]: unknown;
}

/** pino's number for `error`: lines at this level or above mean the server thinks it failed. */
export const ERROR_LEVEL = 50;

/** A test server (SQLite, in-process bus) whose log lines at `warn` and above are kept in `logs`. */
export async function startLoggedServer(realtime: GatewayOptions = {}): Promise<TestServer & { logs: LogLine[] }> {
  const storage = await createTestStorage('sqlite');
  const logs: LogLine[] = [];
  const stream = { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) };
  const server = await createChatServer({
    config: { port: 0, host: '127.0.0.1', dataDir: '', databaseUrl: undefined, redisUrl: undefined, logLevel: 'warn' },
    store: storage.open(),
    bus: createMemoryBus(),
    logger: { level: 'warn', stream },
    realtime,
  });
  await server.listen();
  const { port } = server.app.server.address() as AddressInfo;
  const store = server.context.store;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    server,
    storage,
    logs,
    async createApp(name = 'Test') {
      const app = await createApp(store, { name });
      const { apiKey } = await createApiKey(store, app.id);
      return { app, apiKey };
    },
    async close() {
      await server.close();
      await storage.destroy();
    },
  };
}
