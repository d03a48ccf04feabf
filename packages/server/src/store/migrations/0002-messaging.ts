import { type Kysely, sql } from 'kysely';
import type { StoreKind } from '../store.js';

/**
 * Channels, members, messages, reactions, mentions, blocks and the channel
 * event streams. Booleans are 0/1 integers in both dialects; JSON that is
 * never queried into is text in both, and `channels.custom` (filterable) is
 * jsonb on PostgreSQL.
 */
export function messaging(kind: StoreKind) {
  const json = kind === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('apps')
        .addColumn('max_message_length', 'integer', (c) => c.notNull().defaultTo(5000))
        .execute();

      await db.schema
        .createTable('channels')
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('image', 'text')
        .addColumn('custom', sql.raw(json), (c) => c.notNull().defaultTo(sql.raw(`'{}'`)))
        .addColumn('created_by', 'text')
        .addColumn('distinct_key', 'text')
        .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_message_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_message_id', 'text')
        .addColumn('last_message_at', 'bigint')
        .addColumn('last_offset', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('epoch', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .addPrimaryKeyConstraint('channels_pk', ['app_id', 'id'])
        .execute();
      await db.schema.createIndex('channels_distinct').on('channels').columns(['app_id', 'distinct_key']).unique().execute();
      await db.schema.createIndex('channels_type').on('channels').columns(['app_id', 'type', 'created_at']).execute();

      await db.schema
        .createTable('members')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addColumn('last_read_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_read_message_id', 'text')
        .addColumn('last_read_at', 'bigint')
        .addColumn('unread_mentions', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('members_pk', ['app_id', 'channel_id', 'user_id'])
        .addForeignKeyConstraint('members_channel', ['app_id', 'channel_id'], 'channels', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('members_user').on('members').columns(['app_id', 'user_id']).execute();

      await db.schema
        .createTable('messages')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('mentioned_users', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('quoted_message_id', 'text')
        .addColumn('parent_id', 'text')
        .addColumn('show_in_channel', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_reply_at', 'bigint')
        .addColumn('thread_participants', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('custom', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('silent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pinned_at', 'bigint')
        .addColumn('pinned_by', 'text')
        .addColumn('reaction_counts', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('reaction_scores', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('latest_reactions', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('body_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('edited_at', 'bigint')
        .addColumn('deleted_at', 'bigint')
        .addPrimaryKeyConstraint('messages_pk', ['app_id', 'id'])
        .addForeignKeyConstraint('messages_channel', ['app_id', 'channel_id'], 'channels', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('messages_channel_seq').on('messages').columns(['app_id', 'channel_id', 'seq']).unique().execute();
      await db.schema.createIndex('messages_parent').on('messages').columns(['app_id', 'parent_id', 'seq']).execute();
      await db.schema.createIndex('messages_pinned').on('messages').columns(['app_id', 'channel_id', 'pinned_at']).execute();

      await db.schema
        .createTable('reactions')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reactions_pk', ['app_id', 'message_id', 'user_id', 'type'])
        .addForeignKeyConstraint('reactions_message', ['app_id', 'message_id'], 'messages', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
        .execute();

      await db.schema
        .createTable('mentions')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('mentions_pk', ['app_id', 'user_id', 'message_id'])
        .addForeignKeyConstraint('mentions_message', ['app_id', 'message_id'], 'messages', ['app_id', 'id'], (fk) => fk.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('mentions_recent').on('mentions').columns(['app_id', 'user_id', 'created_at']).execute();

      await db.schema
        .createTable('blocks')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('blocker_id', 'text', (c) => c.notNull())
        .addColumn('blocked_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('blocks_pk', ['app_id', 'blocker_id', 'blocked_id'])
        .execute();

      // The channel's durable event stream: the realtime gateway replays it for recovery.
      await db.schema
        .createTable('channel_events')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('stream_offset', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('channel_events_pk', ['app_id', 'channel_id', 'stream_offset'])
        .execute();
    },
  };
}
