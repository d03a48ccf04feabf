import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { SecretBox } from './secret-box.js';
import { withStatementCache } from './statement-cache.js';
import type { DialectHelpers, Store } from './store.js';

const sqliteHelpers: DialectHelpers = {
  // `->` returns the JSON text of the value (SQLite 3.38+), the same text as PostgreSQL's `(jsonb -> key)::text`.
  jsonFieldText: (column, key) => sql<string | null>`(${sql.ref(column)} -> ${`$."${key}"`})`,
  isUniqueViolation: (error) =>
    error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_CONSTRAINT'),
  isUnavailable: (error) =>
    error instanceof Error && 'code' in error && ['SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL'].includes(String(error.code)),
};

/** Opens (creating if needed) the SQLite file at `file`, in WAL mode; `secrets` seals what the store keeps secret. */
export function openSqliteStore(file: string, secrets = SecretBox.plain()): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // FULL syncs the WAL on every commit: an acknowledged write survives a power cut.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return {
    kind: 'sqlite',
    db,
    dialect: sqliteHelpers,
    description: `sqlite ${file}`,
    secrets,
    async ping() {
      database.prepare('select 1').get();
    },
    close: () => db.destroy(),
  };
}
