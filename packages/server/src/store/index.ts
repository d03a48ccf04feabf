import { join } from 'node:path';
import { openPostgresStore, type PostgresOptions } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export type { Store, StoreKind, DialectHelpers } from './store.js';
export type { Database } from './schema.js';
export { migrateToLatest } from './migrate.js';
export { openSqliteStore } from './sqlite.js';
export { openPostgresStore } from './postgres.js';

/** Where to keep data: PostgreSQL when `databaseUrl` is set, else a SQLite file in `dataDir`. */
export interface StoreConfig {
  databaseUrl?: string | undefined;
  dataDir: string;
  postgres?: PostgresOptions;
}

/** Opens the configured store. */
export function openStore(config: StoreConfig): Store {
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl, config.postgres);
  return openSqliteStore(join(config.dataDir, 'chatsdk.db'));
}
