import type { Message, PinnedPage } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import { type Caller, callerUserId } from '../auth/caller.js';
import { accessChannel, requireMember, requireRead } from '../channels/channel-access.js';
import { requirePermission } from '../channels/channel-permissions.js';
import { decodeTimeKey, encodeTimeKey } from '../common/keyset.js';
import type { DomainContext } from '../context.js';
import { transact } from '../events/events.js';
import { accessMessage, lockMessage, seesShadowedOf } from './message-access.js';
import { hydrateMessages, messageFromRow, toWireMessage } from './message-records.js';

/**
 * `POST` / `DELETE /api/messages/:id/pin`: any member of the channel or the
 * server pins or unpins a message, with `message.updated` on the stream.
 * Pinning a pinned message (or unpinning one that is not) changes nothing,
 * keeps who pinned it first and writes no event. A tombstone cannot be pinned.
 */
export async function setPinned(ctx: DomainContext, caller: Caller, id: string, pinned: boolean): Promise<Message> {
  return transact(ctx, async (trx, events) => {
    const { access, message: found } = await accessMessage(trx, caller, id);
    if (caller.kind === 'user') {
      requireMember(access);
      // A pin changes the message for everyone: a ban or a freeze stops it as it stops a send.
      requirePermission(access, 'pin');
    }
    let message = await lockMessage(trx, found);
    if (pinned && message.deletedAt !== null) throw new ApiError('validation_failed', `message "${id}" is deleted: a tombstone cannot be pinned`);
    if ((message.pinnedAt !== null) !== pinned) {
      const now = Date.now();
      const row = await trx
        .updateTable('messages')
        .set({ pinned_at: pinned ? now : null, pinned_by: pinned ? callerUserId(caller) : null, updated_at: now })
        .where('app_id', '=', message.appId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      message = messageFromRow(row);
      // A shadowed message is seen by its author and moderators only: its pin is announced to no one.
      if (!message.shadowed) await events.emit(message.appId, message.channelId, { type: 'message.updated', message: toWireMessage(message) });
    }
    const [wire] = await hydrateMessages(trx, message.appId, [message], callerUserId(caller));
    if (!wire) throw new Error('hydrating one message returned none');
    return wire;
  });
}

/** `GET /api/channels/:id/pinned`: a channel's pinned messages, most recently pinned first, keyset-paged on (pinnedAt, id). */
export async function listPinned(ctx: DomainContext, caller: Caller, channelId: string, query: { limit?: number; cursor?: string }): Promise<PinnedPage> {
  const db = ctx.store.db;
  const access = await accessChannel(db, caller, channelId);
  requireRead(access);
  const limit = query.limit ?? 25;
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('app_id', '=', caller.app.id)
    .where('channel_id', '=', channelId)
    .where('pinned_at', 'is not', null)
    .where('deleted_at', 'is', null);
  // Pinned or not, a shadowed message shows only to those who see it anywhere else.
  const sees = seesShadowedOf(access);
  if (sees !== 'all') q = q.where((eb) => eb.or([eb('shadowed', '=', 0), eb('user_id', '=', sees)]));
  if (query.cursor !== undefined) {
    const key = decodeTimeKey(query.cursor);
    q = q.where((eb) => eb.or([eb('pinned_at', '<', key.at), eb.and([eb('pinned_at', '=', key.at), eb('id', '<', key.id)])]));
  }
  const rows = await q.orderBy('pinned_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit).map(messageFromRow);
  const last = page.at(-1);
  return {
    messages: await hydrateMessages(db, caller.app.id, page, callerUserId(caller)),
    next: rows.length > limit && last && last.pinnedAt !== null ? encodeTimeKey({ at: last.pinnedAt, id: last.id }) : null,
  };
}
