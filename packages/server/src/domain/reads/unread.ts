import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

/** One channel's unread messages, and the channel's newest message as of the count. */
export interface UnreadAt {
  count: number;
  /** The channel's `last_message_seq` read in the same statement: every message up to it is reflected in `count`. */
  lastSeq: number;
  /** The user muted the channel: its count shows on the channel, and stays out of every total. */
  muted: boolean;
}

/**
 * Unread messages per channel for one user: messages after their read
 * position that others sent, that are not deleted, not silent and not
 * thread-only replies, nor hidden for review, nor shadowed (a shadow-banned
 * author's, which only its author sees, and one's own never counts), nor
 * sent by a user the reader muted. Derived from read positions on every
 * call, so it is exact and never negative, and a send writes nothing per member.
 *
 * One statement: the user's memberships (members_user_channel), each
 * channel's messages past the read position (a range of
 * messages_channel_seq), and for each such message one probe of the user's
 * mutes by their primary key (an anti-join on PostgreSQL).
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
    // A muted author's messages are those with a mute row. A join, not `not exists`: with the subquery
    // SQLite's planner (without statistics) read every message of the app first and the members after.
    .leftJoin('user_mutes', (join) =>
      join
        .onRef('user_mutes.app_id', '=', 'members.app_id')
        .onRef('user_mutes.muter_id', '=', 'members.user_id')
        .onRef('user_mutes.muted_id', '=', 'messages.user_id'),
    )
    .select((eb) => [
      'members.channel_id as channelId',
      eb.fn.countAll<number>().as('unread'),
      eb.fn.max('channels.last_message_seq').as('lastSeq'),
      eb.fn.max('members.muted').as('muted'),
    ])
    .where('members.app_id', '=', appId)
    .where('members.user_id', '=', userId)
    .where('channels.deleted_at', 'is', null)
    .where('messages.deleted_at', 'is', null)
    .where('messages.silent', '=', 0)
    .where('messages.show_in_channel', '=', 1)
    .where('messages.shadowed', '=', 0)
    .where('messages.hidden', '=', 0)
    .where((eb) => eb.or([eb('messages.user_id', 'is', null), eb('messages.user_id', '!=', userId)]))
    .where('user_mutes.muted_id', 'is', null);
  if (channelIds) query = query.where('members.channel_id', 'in', channelIds);
  const rows = await query.groupBy('members.channel_id').execute();
  return new Map(rows.map((r) => [r.channelId, { count: Number(r.unread), lastSeq: Number(r.lastSeq), muted: Number(r.muted) !== 0 }]));
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

/** One channel's unread mentions, and whether the user muted the channel. */
export interface MentionsAt {
  count: number;
  muted: boolean;
}

/**
 * Unread mentions per channel for one user (only channels with some): kept
 * per member, since a mention names one member, and reset when they read.
 * (The send counts a mention when it is written; a muted sender's mention
 * still counts: a mention is addressed to the reader by name.)
 */
export async function mentionCountsAt(db: Kysely<Database>, appId: string, userId: string): Promise<Map<string, MentionsAt>> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('channels', (join) => join.onRef('channels.app_id', '=', 'members.app_id').onRef('channels.id', '=', 'members.channel_id'))
    .select(['members.channel_id as channelId', 'members.unread_mentions as mentions', 'members.muted as muted'])
    .where('members.app_id', '=', appId)
    .where('members.user_id', '=', userId)
    .where('members.unread_mentions', '>', 0)
    .where('channels.deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.channelId, { count: r.mentions, muted: r.muted !== 0 }]));
}

/** Unread mentions per channel for one user (see `mentionCountsAt`). */
export async function mentionCounts(db: Kysely<Database>, appId: string, userId: string): Promise<Map<string, number>> {
  const counts = await mentionCountsAt(db, appId, userId);
  return new Map([...counts].map(([channelId, { count }]) => [channelId, count]));
}
