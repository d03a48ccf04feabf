import type { Kysely } from 'kysely';

/** Per app: how many realtime connections one user may hold (default 20). */
export const connectionLimit = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('apps').addColumn('max_connections_per_user', 'integer', (c) => c.notNull().defaultTo(20)).execute();
  },
};
