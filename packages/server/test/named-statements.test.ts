import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/store.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { createTestStorage } from './helpers/stores.js';

// PostgreSQL only: SQLite's statements are prepared once by the statement cache.
describe.skipIf(!process.env.DATABASE_URL)('named statements on PostgreSQL', () => {
  let store: Store;

  beforeAll(async () => {
    store = (await createTestStorage('postgres')).open();
    await migrateToLatest(store);
  });
  afterAll(() => store.close());

  it('prepares a parameterised statement once per connection and reuses it', async () => {
    const prepared = await store.db.transaction().execute(async (trx) => {
      // One transaction is one connection: the server's own list of its prepared statements is per connection.
      for (const id of ['a', 'b', 'c']) await trx.selectFrom('apps').select('id').where('id', '=', id).execute();
      await sql`select 1`.execute(trx);
      const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(trx);
      return rows;
    });
    const apps = prepared.filter((row) => row.statement.includes('from "apps"'));
    // Three executions, one statement; the parameterless `select 1` and this query itself are not kept.
    expect(apps).toHaveLength(1);
    expect(apps[0]?.name).toMatch(/^chatsdk_\d+$/);
    expect(prepared.some((row) => row.statement === 'select 1')).toBe(false);
  });
});
