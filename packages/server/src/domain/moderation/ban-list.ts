import type { BansPage, ListBansQuery } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import { banFromRow, toWireBan } from '../auth/ban-records.js';
import type { Caller } from '../auth/caller.js';
import { accessChannel, requireModerator } from '../channels/channel-access.js';
import type { DomainContext } from '../context.js';
import { requireAppModerator } from './app-moderators.js';

/** Bans per page when the caller gives no limit. */
const DEFAULT_LIMIT = 25;

/** A place in the newest-first order of bans: their time, then their key (user, scope) to break ties. */
interface BanKey {
  at: number;
  userId: string;
  channelId: string;
}

/** The opaque cursor of a place: base64url of its JSON. */
function encodeBanKey(key: BanKey): string {
  return Buffer.from(JSON.stringify([key.at, key.userId, key.channelId])).toString('base64url');
}

/** Reads a cursor this API returned; anything else is the caller's mistake (400), never a 500. */
function decodeBanKey(cursor: string): BanKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 3) {
    const [at, userId, channelId] = parsed as unknown[];
    if (Number.isSafeInteger(at) && typeof userId === 'string' && typeof channelId === 'string') {
      const key = { at: at as number, userId, channelId };
      // Only the exact text this API wrote: a cursor is not a query language.
      if (encodeBanKey(key) === cursor) return key;
    }
  }
  throw new ApiError('validation_failed', 'cursor is not one this API returned');
}

/**
 * `GET /api/moderation/bans[?channelId=]`: bans in force, newest first,
 * keyset-paged. Without `channelId`, every ban of the app (app-wide and per
 * channel), for the key and app moderators; with it, that channel's, for its
 * moderators too. Expired bans are never listed, whether or not their rows
 * are still there.
 */
export async function listBans(ctx: DomainContext, caller: Caller, query: ListBansQuery): Promise<BansPage> {
  const db = ctx.store.db;
  if (query.channelId === undefined) requireAppModerator(caller);
  else requireModerator(await accessChannel(db, caller, query.channelId));
  const limit = query.limit ?? DEFAULT_LIMIT;
  const now = Date.now();
  let q = db
    .selectFrom('bans')
    .selectAll()
    .where('app_id', '=', caller.app.id)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  if (query.channelId !== undefined) q = q.where('channel_id', '=', query.channelId);
  if (query.cursor !== undefined) {
    const key = decodeBanKey(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', key.at),
        eb.and([
          eb('created_at', '=', key.at),
          eb.or([eb('user_id', '<', key.userId), eb.and([eb('user_id', '=', key.userId), eb('channel_id', '<', key.channelId)])]),
        ]),
      ]),
    );
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('user_id', 'desc').orderBy('channel_id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    bans: page.map((row) => toWireBan(banFromRow(row))),
    next: rows.length > limit && last ? encodeBanKey({ at: Number(last.created_at), userId: last.user_id, channelId: last.channel_id }) : null,
  };
}
