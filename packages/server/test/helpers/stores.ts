import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store, StoreKind } from '../../src/store/store.js';

/** SQLite always; PostgreSQL too when DATABASE_URL is set (as `.ci/run` does). */
export const storeKinds: StoreKind[] = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh, empty place to keep data, and how to throw it away. */
export interface TestStorage {
  kind: StoreKind;
  /** Environment that points the CLI at this storage. */
  env: Record<string, string>;
  open(): Store;
  destroy(): Promise<void>;
}

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return url;
}

/**
 * A new SQLite directory, or a new schema in the PostgreSQL database: each
 * test file gets its own, so files run in parallel without seeing each other.
 */
export async function createTestStorage(kind: StoreKind): Promise<TestStorage> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'chatsdk-test-'));
    return {
      kind,
      env: { CHATSDK_DATA_DIR: dir, DATABASE_URL: '' },
      open: () => openSqliteStore(join(dir, 'chatsdk.db')),
      async destroy() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = databaseUrl();
  const schema = `t_${process.env.CHATSDK_TEST_RUN ?? 'adhoc'}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const withSchema = new URL(url);
  withSchema.searchParams.set('options', `-c search_path=${schema}`);
  return {
    kind,
    env: { DATABASE_URL: withSchema.toString() },
    open: () => openPostgresStore(url, { schema }),
    // Schemas are dropped together at the end of the run (global-setup.ts), never while other files migrate.
    async destroy() {},
  };
}
