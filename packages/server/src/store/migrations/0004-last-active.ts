import type { Kysely } from 'kysely';

/** When a user last had a live connection: written when their last connection closes, shown on the user. */
export const lastActive = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').addColumn('last_active_at', 'bigint').execute();
  },
};
