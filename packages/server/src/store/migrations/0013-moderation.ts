import { type Kysely, sql } from 'kysely';

/**
 * Moderation (issue 17).
 *
 * `bans`: one row per banned user per scope; `channel_id` is '' for an
 * app-wide ban, so one primary key covers both and the auth path finds an
 * app ban by key. An expired row is treated as absent by every read, so a
 * ban ends by itself without a timer; the sweep only tidies.
 *
 * `user_mutes`: one user's choice about another, like `blocks`.
 *
 * `flags`: the review queue, one row per flagged target (a message or a
 * user); `flag_reports` one row per reporter per flag, so a user flags a
 * target once however often they ask.
 *
 * `blocklists`: named word and pattern lists per app; `apps.blocklists_version`
 * moves with every change to them, so each process keeps compiled matchers
 * and knows, from the app row it reads with every request anyway, when they
 * are stale.
 *
 * `moderation_audit`: every moderation action, written in its transaction.
 *
 * Channels gain `frozen`, `cooldown_seconds` and their `blocklists`;
 * members `last_sent_at` for slow mode; messages `shadowed` (a shadow-banned
 * author's) and `hidden` (hidden for review).
 */
export const moderation = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('bans')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('shadow', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reason', 'text')
      .addColumn('banned_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addPrimaryKeyConstraint('bans_pk', ['app_id', 'user_id', 'channel_id'])
      .execute();
    // The list of one channel's bans (or the app's), newest first.
    await db.schema.createIndex('bans_by_channel').on('bans').columns(['app_id', 'channel_id', 'created_at']).execute();

    await db.schema
      .createTable('user_mutes')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('muter_id', 'text', (c) => c.notNull())
      .addColumn('muted_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_mutes_pk', ['app_id', 'muter_id', 'muted_id'])
      .execute();

    await db.schema
      .createTable('flags')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text')
      .addColumn('target_user_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('flag_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('review_action', 'text')
      .addColumn('reviewed_by', 'text')
      .addColumn('review_reason', 'text')
      .addColumn('reviewed_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('flags_pk', ['app_id', 'id'])
      .execute();
    await db.schema.createIndex('flags_target').on('flags').columns(['app_id', 'target_type', 'target_id']).unique().execute();
    await db.schema.createIndex('flags_queue').on('flags').columns(['app_id', 'status', 'updated_at', 'id']).execute();

    await db.schema
      .createTable('flag_reports')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('flag_id', 'text', (c) => c.notNull())
      /** '' for the system (a blocklist in flag mode): one system report per flag. */
      .addColumn('reporter_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('custom', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('flag_reports_pk', ['app_id', 'flag_id', 'reporter_id'])
      .execute();

    await db.schema
      .createTable('blocklists')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('words', 'text', (c) => c.notNull())
      .addColumn('patterns', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('channel_types', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('blocklists_pk', ['app_id', 'name'])
      .execute();

    await db.schema
      .createTable('moderation_audit')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text')
      .addColumn('reason', 'text')
      .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('moderation_audit_pk', ['app_id', 'id'])
      .execute();
    await db.schema.createIndex('moderation_audit_newest').on('moderation_audit').columns(['app_id', 'created_at', 'id']).execute();

    await db.schema.alterTable('apps').addColumn('auto_hide_after_flags', 'integer').execute();
    await db.schema.alterTable('apps').addColumn('blocklists_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('channels').addColumn('frozen', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('channels').addColumn('cooldown_seconds', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('channels').addColumn('blocklists', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    await db.schema.alterTable('members').addColumn('last_sent_at', 'bigint').execute();
    await db.schema.alterTable('messages').addColumn('shadowed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('messages').addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    // A user's messages, for bulk deletes and slow mode's look-back.
    await sql`create index messages_by_user on messages (app_id, user_id, channel_id, seq)`.execute(db);
  },
};
