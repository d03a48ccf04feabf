import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

/** One channel's unread messages, and the channel's newest message as of the count. */
export interface UnreadAt {
  count: number;
  /** The channel's `last_message_seq` read in the same statement: every message up to it is reflected in `count`. */
  lastSeq: number;
}

/**
 * Unread messages per channel for one user: messages after their read
 * position that others sent, that are not deleted, not silent and not
 * thread-only replies. Derived from read positions on every call, so it is
 * exact and never negative, and a send writes nothing per member.
 */
export async function unreadCountsAt(
  db: Kysely<Database>,
  appId: string,
  userId: string,
  channelIds?: string[],
): Promise<Map<string, UnreadAt>> {
  if (channelIds && channelIds.length === 0) return new Map();
  let query = db
    .selectFrom('members')
    .innerJoin('messages', (join) =>
      join
        .onRef('messages.app_id', '=', 'members.app_id')
        .onRef('messages.channel_id', '=', 'members.channel_id')
        .onRef('messages.seq', '>', 'members.last_read_seq'),
    )
    .innerJoin('channels', (join) =>
      join.onRef('channels.app_id', '=', 'members.app_id').onRef('channels.id', '=', 'members.channel_id'),
    )
    .select((eb) => [
      'members.channel_id as channelId',
      eb.fn.countAll<number>().as('unread'),
      eb.fn.max('channels.last_message_seq').as('lastSeq'),
    ])
    .where('members.app_id', '=', appId)
    .where('members.user_id', '=', userId)
    .where('channels.deleted_at', 'is', null)
    .where('messages.deleted_at', 'is', null)
    .where('messages.silent', '=', 0)
    .where('messages.show_in_channel', '=', 1)
    .where((eb) => eb.or([eb('messages.user_id', 'is', null), eb('messages.user_id', '!=', userId)]));
  if (channelIds) query = query.where('members.channel_id', 'in', channelIds);
  const rows = await query.groupBy('members.channel_id').execute();
  return new Map(rows.map((r) => [r.channelId, { count: Number(r.unread), lastSeq: Number(r.lastSeq) }]));
}

/** Unread messages per channel for one user (see `unreadCountsAt`). */
export async function unreadCounts(
  db: Kysely<Database>,
  appId: string,
  userId: string,
  channelIds?: string[],
): Promise<Map<string, number>> {
  const counts = await unreadCountsAt(db, appId, userId, channelIds);
  return new Map([...counts].map(([channelId, { count }]) => [channelId, count]));
}

/**
 * Unread mentions per channel for one user (only channels with some): kept
 * per member, since a mention names one member, and reset when they read.
 */
export async function mentionCounts(db: Kysely<Database>, appId: string, userId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('channels', (join) => join.onRef('channels.app_id', '=', 'members.app_id').onRef('channels.id', '=', 'members.channel_id'))
    .select(['members.channel_id as channelId', 'members.unread_mentions as mentions'])
    .where('members.app_id', '=', appId)
    .where('members.user_id', '=', userId)
    .where('members.unread_mentions', '>', 0)
    .where('channels.deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.channelId, r.mentions]));
}
