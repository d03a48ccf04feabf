/** @chatsdk/server as a library: embed the service or drive its store from your own tooling. */
export { createChatServer, VERSION } from './server.js';
export type { ChatServer, ChatServerOptions } from './server.js';
export { loadConfig } from './config.js';
export type { Config } from './config.js';
export { openStore, migrateToLatest } from './store/index.js';
export type { Store, StoreKind } from './store/index.js';
export { openBus } from './bus/index.js';
export type { Bus } from './bus/index.js';
