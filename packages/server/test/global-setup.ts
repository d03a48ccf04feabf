import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * One id per test run, shared by every worker: PostgreSQL test schemas are
 * named after it and dropped here, once, at the end. Dropping them file by
 * file while other files migrate breaks those migrations: Kysely's migrator
 * introspects the tables of every schema, and a schema dropped in the middle
 * of that query fails it.
 */
export async function setup(): Promise<() => Promise<void>> {
  const run = randomBytes(4).toString('hex');
  process.env.CHATSDK_TEST_RUN = run;
  return async () => {
    const url = process.env.DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like $1`, [`t_${run}_%`]);
      for (const { name } of rows) await client.query(`drop schema if exists ${name} cascade`);
    } finally {
      await client.end();
    }
  };
}
