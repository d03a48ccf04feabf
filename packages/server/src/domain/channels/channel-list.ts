import type { ChannelState, ChannelType, ListChannelsQuery } from '@chatsdk/protocol';
import { sql } from 'kysely';
import { ApiError } from '../../errors.js';
import { type BanRecord, banHolds } from '../auth/ban-records.js';
import type { Caller } from '../auth/caller.js';
import { jsonCandidates, likePrefix } from '../common/filters.js';
import type { DomainContext } from '../context.js';
import { hydrateMessages, messageFromRow } from '../messages/message-records.js';
import { unreadCounts } from '../reads/unread.js';
import { type ChannelRecord, channelFromRow, type MemberRecord, memberFromRow, toWireChannel, toWireMembership } from './channel-records.js';
import { mayReadMessages } from './channel-access.js';
import { CHANNEL_TYPES } from './channel-types.js';

/** `GET /api/channels` filters, with the `custom.<key>=<value>` pairs pulled out of the query. */
export type ChannelFilter = Omit<ListChannelsQuery, `custom.${string}`> & { custom: Array<[key: string, value: string]> };

/** Channels sorted in memory (by unread count) are read at most this many at a time. */
const UNREAD_SORT_SCAN = 2000;

type SortKey = [number, number, string];

function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): SortKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    // Whole numbers a store can compare: a forged 1e30 would overflow PostgreSQL's bigint (a 500).
    if (Array.isArray(key) && key.length === 3 && Number.isSafeInteger(key[0]) && Number.isSafeInteger(key[1]) && typeof key[2] === 'string') {
      return key as SortKey;
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError('validation_failed', 'cursor is not one this API returned');
}

const activity = (c: ChannelRecord) => c.lastMessageAt ?? c.createdAt;

/**
 * The caller's channels (or, with `joined: false`, the listed channels they
 * have not joined; for the server, every channel of the app), filtered and
 * sorted, one keyset page at a time. Each item carries its last message, and
 * for members their membership with the exact unread count.
 */
export async function listChannels(
  ctx: DomainContext,
  caller: Caller,
  filter: ChannelFilter,
): Promise<{ channels: ChannelState[]; next: string | null }> {
  const db = ctx.store.db;
  const appId = caller.app.id;
  const userId = caller.kind === 'user' ? caller.user.id : null;
  const joined = userId !== null && filter.joined !== false;
  const sort = filter.sort ?? 'lastMessageAt';
  if (!joined && (filter.hasUnread !== undefined || filter.archived !== undefined || sort === 'unread')) {
    throw new ApiError('validation_failed', 'hasUnread, archived and sort=unread apply to the channels a user has joined');
  }
  const limit = filter.limit ?? 25;

  // Unread counts come from the one unread rule (unread.ts), for every channel of the user at once.
  const unread = joined && (filter.hasUnread !== undefined || sort === 'unread') ? await unreadCounts(db, appId, userId) : undefined;

  let query = db
    .selectFrom('channels')
    .selectAll('channels')
    .where('channels.app_id', '=', appId)
    .where('channels.deleted_at', 'is', null);
  if (joined) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('members')
          .select('members.user_id')
          .whereRef('members.app_id', '=', 'channels.app_id')
          .whereRef('members.channel_id', '=', 'channels.id')
          .where('members.user_id', '=', userId)
          .where('members.archived', '=', filter.archived ? 1 : 0),
      ),
    );
  } else if (userId !== null) {
    const listed = (Object.keys(CHANNEL_TYPES) as ChannelType[]).filter((type) => CHANNEL_TYPES[type].listed);
    query = query.where('channels.type', 'in', listed).where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('members')
            .select('members.user_id')
            .whereRef('members.app_id', '=', 'channels.app_id')
            .whereRef('members.channel_id', '=', 'channels.id')
            .where('members.user_id', '=', userId),
        ),
      ),
    );
  }
  if (filter.type) query = query.where('channels.type', '=', filter.type);
  if (filter.q) {
    const pattern = likePrefix(filter.q);
    query = query.where(sql`lower(channels.name)`, 'like', sql<string>`${pattern} escape '\\'`);
  }
  if (filter.member) {
    const member = filter.member;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('members as other')
          .select('other.user_id')
          .whereRef('other.app_id', '=', 'channels.app_id')
          .whereRef('other.channel_id', '=', 'channels.id')
          .where('other.user_id', '=', member),
      ),
    );
  }
  for (const [key, value] of filter.custom) {
    query = query.where(ctx.store.dialect.jsonFieldText('channels.custom', key), 'in', jsonCandidates(value));
  }
  if (unread && filter.hasUnread !== undefined) {
    const withUnread = [...unread].filter(([, count]) => count > 0).map(([id]) => id);
    if (filter.hasUnread) query = query.where('channels.id', 'in', withUnread.length > 0 ? withUnread : ['']);
    else if (withUnread.length > 0) query = query.where('channels.id', 'not in', withUnread);
  }

  let page: ChannelRecord[];
  let next: string | null = null;
  if (sort === 'unread') {
    const rows = (await query.limit(UNREAD_SORT_SCAN).execute()).map(channelFromRow);
    const keyOf = (c: ChannelRecord): SortKey => [unread?.get(c.id) ?? 0, activity(c), c.id];
    const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const sorted = rows
      .map((c) => ({ c, k: keyOf(c) }))
      .sort((a, b) => b.k[0] - a.k[0] || b.k[1] - a.k[1] || (a.k[2] < b.k[2] ? 1 : a.k[2] > b.k[2] ? -1 : 0))
      .filter(({ k }) => !after || k[0] < after[0] || (k[0] === after[0] && (k[1] < after[1] || (k[1] === after[1] && k[2] < after[2]))));
    page = sorted.slice(0, limit).map(({ c }) => c);
    const last = sorted[limit - 1];
    if (sorted.length > limit && last) next = encodeCursor(last.k);
  } else {
    const key = sort === 'createdAt' ? sql<number>`channels.created_at` : sql<number>`coalesce(channels.last_message_at, channels.created_at)`;
    if (filter.cursor) {
      const [, at, id] = decodeCursor(filter.cursor);
      query = query.where((eb) => eb.or([eb(key, '<', at), eb.and([eb(key, '=', at), eb('channels.id', '<', id)])]));
    }
    const rows = (await query.orderBy(key, 'desc').orderBy('channels.id', 'desc').limit(limit + 1).execute()).map(channelFromRow);
    page = rows.slice(0, limit);
    const last = page.at(-1);
    if (rows.length > limit && last) next = encodeCursor([0, sort === 'createdAt' ? last.createdAt : activity(last), last.id]);
  }
  return { channels: await describe(ctx, caller, page), next };
}

/** Attaches last messages and the caller's memberships to a page of channels, in a fixed number of queries. */
async function describe(ctx: DomainContext, caller: Caller, channels: ChannelRecord[]): Promise<ChannelState[]> {
  if (channels.length === 0) return [];
  const db = ctx.store.db;
  const appId = caller.app.id;
  const viewerId = caller.kind === 'user' ? caller.user.id : null;
  const members = new Map<string, MemberRecord>();
  const bans = new Map<string, BanRecord>();
  let unread = new Map<string, number>();
  if (viewerId) {
    const ids = channels.map((c) => c.id);
    // The viewer's channel bans come with their memberships, by a left join on the ban's key: no extra round trip.
    const rows = await db
      .selectFrom('members')
      .leftJoin('bans', (join) =>
        join.onRef('bans.app_id', '=', 'members.app_id').onRef('bans.channel_id', '=', 'members.channel_id').onRef('bans.user_id', '=', 'members.user_id'),
      )
      .selectAll('members')
      .select(['bans.shadow as ban_shadow', 'bans.reason as ban_reason', 'bans.banned_by as ban_banned_by', 'bans.created_at as ban_created_at', 'bans.expires_at as ban_expires_at'])
      .where('members.app_id', '=', appId)
      .where('members.user_id', '=', viewerId)
      .where('members.channel_id', 'in', ids)
      .execute();
    for (const row of rows) {
      members.set(row.channel_id, memberFromRow(row));
      if (row.ban_created_at === null) continue;
      bans.set(row.channel_id, {
        appId,
        userId: viewerId,
        channelId: row.channel_id,
        shadow: row.ban_shadow === 1,
        reason: row.ban_reason,
        bannedBy: row.ban_banned_by,
        createdAt: Number(row.ban_created_at),
        expiresAt: row.ban_expires_at === null ? null : Number(row.ban_expires_at),
      });
    }
    unread = await unreadCounts(db, appId, viewerId, ids);
  }
  // The ban shown, as `accessChannel` picks the one in force: the channel's own unless it only shadows
  // and the app's refuses (a shadow ban is never shown, so only a refusing one matters here).
  const appBan = caller.kind === 'user' ? caller.appBan : undefined;
  const banIn = (channelId: string): BanRecord | undefined => {
    const own = bans.get(channelId);
    return banHolds(own) && !own.shadow ? own : appBan;
  };
  // A listed channel the viewer may not read shows its metadata, never its last message.
  const lastIds = channels.flatMap((c) => (c.lastMessageId && mayReadMessages(caller, c, members.get(c.id)) ? [c.lastMessageId] : []));
  const lastRows = lastIds.length > 0 ? await db.selectFrom('messages').selectAll().where('app_id', '=', appId).where('id', 'in', lastIds).execute() : [];
  const hydrated = await hydrateMessages(db, appId, lastRows.map(messageFromRow), viewerId);
  const lastById = new Map(hydrated.map((m) => [m.id, m]));
  return channels.map((c) => {
    const member = members.get(c.id);
    return {
      channel: toWireChannel(c),
      lastMessage: (c.lastMessageId && lastById.get(c.lastMessageId)) || null,
      membership: member ? toWireMembership(member, unread.get(c.id) ?? 0, banIn(c.id)) : null,
    };
  });
}

