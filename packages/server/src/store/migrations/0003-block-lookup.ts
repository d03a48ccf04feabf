import type { Kysely } from 'kysely';

/** A DM send checks whether another member blocked the sender: find blocks by who is blocked. */
export const blockLookup = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('blocks_blocked').on('blocks').columns(['app_id', 'blocked_id']).execute();
  },
};
