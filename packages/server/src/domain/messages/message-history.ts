import type { ListMessagesQuery, Message, MessagesPage } from '@chatsdk/protocol';
import type { Selectable, SelectQueryBuilder } from 'kysely';
import { ApiError } from '../../errors.js';
import type { Database, MessagesTable } from '../../store/schema.js';
import { type Caller, callerUserId } from '../auth/caller.js';
import { accessChannel, requireRead } from '../channels/channel-access.js';
import type { DomainContext } from '../context.js';
import { accessMessage, seesShadowedOf } from './message-access.js';
import { hydrateMessages, type MessageRecord, messageFromRow } from './message-records.js';

/**
 * Leaves out the shadowed messages the viewer may not see (see
 * `seesShadowedOf`): the author keeps seeing their own, so nothing tells
 * them they are shadow-banned; the server and moderators see all.
 */
function withoutOthersShadowed(scope: MessageScope, sees: string | 'all'): MessageScope {
  if (sees === 'all') return scope;
  return () => scope().where((eb) => eb.or([eb('shadowed', '=', 0), eb('user_id', '=', sees)]));
}

/** Page size when the caller gives none. */
const DEFAULT_LIMIT = 25;

/** Messages of one scope (a channel's timeline, a thread), not yet ordered or limited. */
type MessageScope = () => SelectQueryBuilder<Database, 'messages', Selectable<MessagesTable>>;

/**
 * One page of a scope by message sequence, newest first. Keyset only: every
 * query is a range on `seq` over an index, so a page costs the same at the
 * start of a history as a million messages in. One row past the limit is
 * read to know whether there are more.
 */
async function pageBySeq(scope: MessageScope, query: ListMessagesQuery): Promise<{ records: MessageRecord[]; hasMore: boolean }> {
  const anchors = [query.before, query.after, query.around].filter((v) => v !== undefined);
  if (anchors.length > 1) throw new ApiError('validation_failed', 'give at most one of before, after and around');
  const limit = query.limit ?? DEFAULT_LIMIT;

  if (query.after !== undefined) {
    // The `limit` messages just after N: read oldest first, answered newest first like every page.
    const rows = await scope().where('seq', '>', query.after).orderBy('seq', 'asc').limit(limit + 1).execute();
    return { records: rows.slice(0, limit).reverse().map(messageFromRow), hasMore: rows.length > limit };
  }

  if (query.around !== undefined) {
    // N and the older half (rounded up) on one side, the newer half on the other. With two directions,
    // `hasMore` says there is more beyond either end; the client pages on with before/after from the ends.
    const newerLimit = Math.floor(limit / 2);
    const olderLimit = limit - newerLimit;
    const newer = await scope().where('seq', '>', query.around).orderBy('seq', 'asc').limit(newerLimit + 1).execute();
    const older = await scope().where('seq', '<=', query.around).orderBy('seq', 'desc').limit(olderLimit + 1).execute();
    const rows = [...newer.slice(0, newerLimit).reverse(), ...older.slice(0, olderLimit)];
    return { records: rows.map(messageFromRow), hasMore: newer.length > newerLimit || older.length > olderLimit };
  }

  let q = scope();
  if (query.before !== undefined) q = q.where('seq', '<', query.before);
  const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
  return { records: rows.slice(0, limit).map(messageFromRow), hasMore: rows.length > limit };
}

/**
 * `GET /api/channels/:id/messages`: the channel's timeline, newest first.
 * Thread replies appear only when sent with `showInChannel` (stored as
 * `show_in_channel = 1`, as is every top-level message); deleted messages
 * stay as tombstones so clients can replace what they hold.
 */
export async function listChannelMessages(ctx: DomainContext, caller: Caller, channelId: string, query: ListMessagesQuery): Promise<MessagesPage> {
  const db = ctx.store.db;
  const access = await accessChannel(db, caller, channelId);
  requireRead(access);
  const scope: MessageScope = () =>
    db.selectFrom('messages').selectAll().where('app_id', '=', caller.app.id).where('channel_id', '=', channelId).where('show_in_channel', '=', 1);
  const sees = seesShadowedOf(access);
  const { records, hasMore } = await pageBySeq(withoutOthersShadowed(scope, sees), query);
  return { messages: await hydrateMessages(db, caller.app.id, records, callerUserId(caller), { showShadowed: sees === 'all' }), hasMore };
}

/** `GET /api/messages/:id/replies`: a thread's replies, newest first, paged like a channel. */
export async function listReplies(ctx: DomainContext, caller: Caller, parentId: string, query: ListMessagesQuery): Promise<MessagesPage> {
  const db = ctx.store.db;
  const { access } = await accessMessage(db, caller, parentId);
  const scope: MessageScope = () => db.selectFrom('messages').selectAll().where('app_id', '=', caller.app.id).where('parent_id', '=', parentId);
  const sees = seesShadowedOf(access);
  const { records, hasMore } = await pageBySeq(withoutOthersShadowed(scope, sees), query);
  return { messages: await hydrateMessages(db, caller.app.id, records, callerUserId(caller), { showShadowed: sees === 'all' }), hasMore };
}

/** `GET /api/messages/:id`: one message (a tombstone when deleted) for a reader of its channel. */
export async function getMessage(ctx: DomainContext, caller: Caller, id: string): Promise<Message> {
  const { access, message } = await accessMessage(ctx.store.db, caller, id);
  const [wire] = await hydrateMessages(ctx.store.db, caller.app.id, [message], callerUserId(caller), { showShadowed: seesShadowedOf(access) === 'all' });
  if (!wire) throw new Error('hydrating one message returned none');
  return wire;
}
