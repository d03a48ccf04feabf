import { join } from 'node:path';
import { openPostgresStore, type PostgresOptions } from './postgres.js';
import { SecretBox } from './secret-box.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export type { Store, StoreKind, DialectHelpers } from './store.js';
export type { Database } from './schema.js';
export { migrateToLatest } from './migrate.js';
export { openSqliteStore } from './sqlite.js';
export { openPostgresStore } from './postgres.js';
export { SecretBox } from './secret-box.js';

/** Where to keep data: PostgreSQL when `databaseUrl` is set, else a SQLite file in `dataDir`. */
export interface StoreConfig {
  databaseUrl?: string | undefined;
  dataDir: string;
  postgres?: PostgresOptions;
  /** `CHATSDK_SECRET_KEY`: when set, secrets are sealed with it at rest. */
  secretKey?: string | undefined;
}

/** Opens the configured store. */
export function openStore(config: StoreConfig): Store {
  const secrets = config.secretKey ? SecretBox.fromKey(config.secretKey) : SecretBox.plain();
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl, { ...config.postgres, secrets });
  return openSqliteStore(join(config.dataDir, 'chatsdk.db'), secrets);
}
