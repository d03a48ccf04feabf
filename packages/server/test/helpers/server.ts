import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bus, createMemoryBus } from '../../src/bus/index.js';
import { createApiKey } from '../../src/domain/auth/api-keys.js';
import { type AppRecord, createApp } from '../../src/domain/auth/apps.js';
import type { PresenceStore } from '../../src/presence/index.js';
import type { GatewayOptions } from '../../src/realtime/gateway.js';
import { type ChatServer, type ChatServerOptions, createChatServer } from '../../src/server.js';
import type { StoreKind } from '../../src/store/store.js';
import { createTestStorage, type TestStorage } from './stores.js';

/** A real server on a real port over a real, fresh store. */
export interface TestServer {
  baseUrl: string;
  server: ChatServer;
  storage: TestStorage;
  /** Creates an app with one API key, straight in the store (as `chatsdk apps create` does). */
  createApp(name?: string): Promise<{ app: AppRecord; apiKey: string }>;
  close(): Promise<void>;
}

export async function startTestServer(kind: StoreKind, options: {
    bus?: Bus;
    presence?: PresenceStore;
    realtime?: GatewayOptions;
    /** Storage another test server already uses (two processes of one deployment); left in place at close. */
    storage?: TestStorage;
    /** The server's logger (by default it logs nothing). */
    logger?: ChatServerOptions['logger'];
    /** The outbound guard's policy. By default only allowlisted hosts, and none is: no test reaches past this machine. */
    outbound?: ChatServerOptions['outbound'];
    /** Where uploads' bytes go; by default the local disk under the server's own data directory. */
    files?: ChatServerOptions['files'];
    /** Webhook delivery settings (tests shrink the retry schedule and the poll). */
    webhooks?: ChatServerOptions['webhooks'];
  } = {}): Promise<TestServer> {
  const storage = options.storage ?? (await createTestStorage(kind));
  // Uploads' bytes go under the data directory: each test server has its own, never the working directory.
  const dataDir = mkdtempSync(join(tmpdir(), 'chatsdk-data-'));
  const server = await createChatServer({
    config: { port: 0, host: '127.0.0.1', dataDir, databaseUrl: undefined, redisUrl: undefined, logLevel: 'silent' },
    store: storage.open(),
    bus: options.bus ?? createMemoryBus(),
    ...(options.presence ? { presence: options.presence } : {}),
    ...(options.realtime ? { realtime: options.realtime } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    outbound: options.outbound ?? { allowListedOnly: true },
    ...(options.files ? { files: options.files } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  await server.listen();
  const { port } = server.app.server.address() as AddressInfo;
  const store = server.context.store;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    server,
    storage,
    async createApp(name = 'Test') {
      const app = await createApp(store, { name });
      const { apiKey } = await createApiKey(store, app.id);
      return { app, apiKey };
    },
    async close() {
      await server.close();
      if (!options.storage) await storage.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
