import { type Kysely, sql } from 'kysely';

/**
 * The pinned-messages and thread indexes cover only the rows they serve: a
 * message is rarely pinned and most are not replies. Whole, they were as
 * large as the sequence index and began with the same columns, so a planner
 * without statistics could read a channel's history through the pinned index
 * (every message of the channel, then a sort) instead of the sequence index.
 * The queries that use them say `pinned_at is not null` or `parent_id = …`,
 * which both stores see implies the index's condition.
 */
export const partialIndexes = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('messages_pinned').execute();
    await sql`create index messages_pinned on messages (app_id, channel_id, pinned_at) where pinned_at is not null`.execute(db);
    await db.schema.dropIndex('messages_parent').execute();
    await sql`create index messages_parent on messages (app_id, parent_id, seq) where parent_id is not null`.execute(db);
  },
};
