import type { UserBannedEvent, UserUnbannedEvent } from '@chatsdk/protocol';
import type { Bus } from '../../bus/bus.js';
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { recordAudit } from '../audit/audit-log.js';
import { APP_WIDE, type BanRecord, banFromRow, banHolds, toWireBan } from '../auth/ban-records.js';
import { toIso } from '../common/ids.js';
import type { Tx } from '../events/batch-end.js';
import { recordEvent } from '../events/event-sinks.js';

/** A ban to write: app-wide when `channelId` is null. */
export interface BanInput {
  appId: string;
  userId: string;
  channelId: string | null;
  reason?: string | null;
  timeoutMinutes?: number;
  shadow?: boolean;
}

/** Names a ban to lift: app-wide when `channelId` is null. */
export interface BanTarget {
  appId: string;
  userId: string;
  channelId: string | null;
}

/** The bus topic on which every process learns of a ban its sockets must carry out. */
export const BANS_TOPIC = 'moderation:banned';

/** What a ban announcement says: whose sockets, and whether all of them (app ban) or one channel's subscriptions. */
export interface BanAnnouncement {
  appId: string;
  userId: string;
  /** Null: the whole app (every socket closes); else the channel whose subscriptions end. */
  channelId: string | null;
  /** A channel ban was lifted: the user's personal stream takes the channel's news again. */
  lifted?: boolean;
}

/** A ban as written, and whether it replaced one that was still in force. */
export interface WrittenBan {
  ban: BanRecord;
  replaced: boolean;
}

/**
 * Who may never be banned, whoever asks: a user who does not exist (404),
 * the acting user themselves, and app admins (403), who would otherwise be
 * able to lock each other out; the backend demotes an admin first.
 */
async function checkBanTarget(trx: Tx, actorId: string | null, input: BanInput): Promise<void> {
  const target = await trx
    .selectFrom('users')
    .select(['role', 'deleted_at'])
    .where('app_id', '=', input.appId)
    .where('id', '=', input.userId)
    .executeTakeFirst();
  if (!target || target.deleted_at !== null) throw new ApiError('user_not_found', `no user "${input.userId}" in this app`);
  if (actorId !== null && actorId === input.userId) throw new ApiError('forbidden', 'you may not ban yourself');
  if (target.role === 'admin') throw new ApiError('forbidden', `user "${input.userId}" is an app admin: change their role before banning them`);
}

/**
 * `writeBan`, also saying whether a ban in force was replaced (the route
 * answers 200 then, 201 for a new ban). An expired row replaced counts as
 * new: it was no ban.
 */
export async function writeBanReplacing(trx: Tx, store: Store, actorId: string | null, input: BanInput): Promise<WrittenBan> {
  await checkBanTarget(trx, actorId, input);
  const now = Date.now();
  const channelId = input.channelId ?? APP_WIDE;
  const before = await trx
    .selectFrom('bans')
    .selectAll()
    .where('app_id', '=', input.appId)
    .where('user_id', '=', input.userId)
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  const row = {
    app_id: input.appId,
    user_id: input.userId,
    channel_id: channelId,
    shadow: input.shadow === true ? 1 : 0,
    reason: input.reason ?? null,
    banned_by: actorId,
    created_at: now,
    expires_at: input.timeoutMinutes === undefined ? null : now + input.timeoutMinutes * 60_000,
  };
  // Banning again replaces the whole ban: its kind, reason, expiry, author and time are the new ones.
  await trx
    .insertInto('bans')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['app_id', 'user_id', 'channel_id']).doUpdateSet({
        shadow: row.shadow,
        reason: row.reason,
        banned_by: row.banned_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
      }),
    )
    .execute();
  const ban = banFromRow(row);
  await recordAudit(trx, {
    appId: input.appId,
    action: 'ban',
    actorId,
    targetType: 'user',
    targetId: input.userId,
    channelId: input.channelId,
    reason: ban.reason,
    details: { shadow: ban.shadow, expiresAt: ban.expiresAt === null ? null : toIso(ban.expiresAt) },
    at: now,
  });
  const event: UserBannedEvent = { type: 'user.banned', ban: toWireBan(ban), createdAt: toIso(now) };
  recordEvent(store, trx, { appId: input.appId, lane: `user:${input.userId}`, type: event.type, json: JSON.stringify(event), at: now });
  return { ban, replaced: before !== undefined && banHolds(banFromRow(before), now) };
}

/**
 * Writes (or replaces) a ban inside the caller's transaction, with its audit
 * entry and its `user.banned` webhook event: a review that bans commits the
 * review and the ban together. `actorId` is the moderator, null for the
 * server. The caller announces it with `announceBan` after the commit.
 * Refuses unknown users (404), the actor themselves and app admins (403);
 * whether the actor may ban in this scope is the caller's to check.
 */
export async function writeBan(trx: Tx, store: Store, actorId: string | null, input: BanInput): Promise<BanRecord> {
  return (await writeBanReplacing(trx, store, actorId, input)).ban;
}

/**
 * Lifts a ban inside the caller's transaction, with its `unban` audit entry
 * and its `user.unbanned` webhook event. An expired ban is no ban: its row
 * goes, and `undefined` says there was none to lift (nothing is recorded).
 */
export async function removeBan(trx: Tx, store: Store, actorId: string | null, target: BanTarget): Promise<BanRecord | undefined> {
  const row = await trx
    .deleteFrom('bans')
    .where('app_id', '=', target.appId)
    .where('user_id', '=', target.userId)
    .where('channel_id', '=', target.channelId ?? APP_WIDE)
    .returningAll()
    .executeTakeFirst();
  const now = Date.now();
  const ban = row ? banFromRow(row) : undefined;
  if (!banHolds(ban, now)) return undefined;
  await recordAudit(trx, {
    appId: target.appId,
    action: 'unban',
    actorId,
    targetType: 'user',
    targetId: target.userId,
    channelId: target.channelId,
    details: { shadow: ban.shadow },
    at: now,
  });
  const event: UserUnbannedEvent = { type: 'user.unbanned', userId: target.userId, channelId: target.channelId, createdAt: toIso(now) };
  recordEvent(store, trx, { appId: target.appId, lane: `user:${target.userId}`, type: event.type, json: JSON.stringify(event), at: now });
  return ban;
}

/**
 * Tells every process, after the commit, to end what the ban forbids: an
 * app ban closes the user's sockets, a channel ban ends their subscription
 * to the channel. A shadow ban is not announced: nothing may change for its
 * user. A lost announcement (the bus away) leaves an app-banned socket open
 * only until its next token refresh, and a channel subscription until the
 * next subscribe: both read the store.
 */
export async function announceBan(bus: Bus, ban: BanRecord): Promise<void> {
  if (ban.shadow) return;
  const announcement: BanAnnouncement = { appId: ban.appId, userId: ban.userId, channelId: ban.channelId };
  try {
    await bus.publish(BANS_TOPIC, JSON.stringify(announcement));
  } catch {
    // See above: the store stays the authority.
  }
}

/**
 * Tells every process, after the commit, that a channel ban was lifted, so
 * the user's personal stream carries that channel's news again at once (an
 * app ban's lift needs nothing: its user reconnects, and the connect reads
 * the store). Like `announceBan`, a lost one is made up at the next connect.
 */
export async function announceLift(bus: Bus, ban: BanRecord): Promise<void> {
  if (ban.shadow || ban.channelId === null) return;
  const announcement: BanAnnouncement = { appId: ban.appId, userId: ban.userId, channelId: ban.channelId, lifted: true };
  try {
    await bus.publish(BANS_TOPIC, JSON.stringify(announcement));
  } catch {
    // See above: the store stays the authority.
  }
}
