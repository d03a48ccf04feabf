import type { Message } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import { actorOf, recordAudit } from '../audit/audit-log.js';
import { type Caller, callerUserId } from '../auth/caller.js';
import { rankOf } from '../auth/roles.js';
import type { DomainContext } from '../context.js';
import { type EventWriter, type Tx, transact } from '../events/events.js';
import { releaseUploads } from '../files/attachments.js';
import { purgeUploadsOf } from '../files/upload-deletes.js';
import { settleLastMessage } from './last-message.js';
import { removeMentions } from './mentions.js';
import { accessMessage, lockMessage } from './message-access.js';
import { hydrateMessages, type MessageRecord, messageFromRow, toWireMessage } from './message-records.js';

/** A removed reply no longer counts in its thread. */
async function uncountReply(trx: Tx, message: MessageRecord): Promise<void> {
  if (message.parentId === null) return;
  await trx
    .updateTable('messages')
    .set((eb) => ({ reply_count: eb('reply_count', '-', 1) }))
    .where('app_id', '=', message.appId)
    .where('id', '=', message.parentId)
    .where('reply_count', '>', 0)
    .execute();
}

/** The tombstone every delete event carries: who and where, none of the content. */
function tombstone(message: MessageRecord, now: number): Message {
  return toWireMessage({ ...message, deletedAt: message.deletedAt ?? now });
}

/**
 * Soft delete: the row stays, in its place in the sequence and its thread,
 * with its content cleared in the store (not only hidden on the wire), its
 * pin dropped and its mentions uncounted. Deleting a tombstone again changes
 * nothing and writes no event: a retried DELETE answers like the first.
 */
async function softDelete(trx: Tx, events: EventWriter, message: MessageRecord): Promise<MessageRecord> {
  if (message.deletedAt !== null) return message;
  const now = Date.now();
  await removeMentions(trx, message);
  await releaseUploads(trx, message.appId, [message.id], [], now);
  const row = await trx
    .updateTable('messages')
    .set({ deleted_at: now, updated_at: now, text: '', attachments: '[]', mentioned_users: '[]', custom: '{}', pinned_at: null, pinned_by: null })
    .where('app_id', '=', message.appId)
    .where('id', '=', message.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // A shadowed reply never counted in its thread (see sendShadowed).
  if (!message.shadowed) await uncountReply(trx, message);
  const deleted = messageFromRow(row);
  // A shadowed message was never announced: its delete is nobody else's news either.
  if (!message.shadowed) await events.emit(message.appId, message.channelId, { type: 'message.deleted', message: toWireMessage(deleted), hard: false });
  return deleted;
}

/** Removes one row with its mentions uncounted (reactions and mention rows go by cascade), and says so on the stream. */
async function eraseOne(trx: Tx, events: EventWriter, message: MessageRecord, now: number): Promise<void> {
  await removeMentions(trx, message);
  await releaseUploads(trx, message.appId, [message.id], [], now);
  await trx.deleteFrom('messages').where('app_id', '=', message.appId).where('id', '=', message.id).execute();
  if (!message.shadowed) await events.emit(message.appId, message.channelId, { type: 'message.deleted', message: tombstone(message, now), hard: true });
}

/**
 * Hard delete: the row is gone. A thread parent takes its replies with it
 * (each gets its own `message.deleted`, replies first), since replies with no
 * parent could never be shown again. If the channel's last message went, the
 * newest remaining one takes its place. Returns the ids of the messages erased.
 */
async function hardDelete(trx: Tx, events: EventWriter, message: MessageRecord): Promise<string[]> {
  const now = Date.now();
  const replies = await trx.selectFrom('messages').selectAll().where('app_id', '=', message.appId).where('parent_id', '=', message.id).orderBy('seq').execute();
  const removed = new Set([message.id]);
  for (const reply of replies.map(messageFromRow)) {
    await eraseOne(trx, events, reply, now);
    removed.add(reply.id);
  }
  await eraseOne(trx, events, message, now);
  // A tombstone was uncounted when it was soft-deleted; a shadowed reply never counted.
  if (message.deletedAt === null && !message.shadowed) await uncountReply(trx, message);

  await settleLastMessage(trx, message.appId, message.channelId, removed);
  return [...removed];
}

/**
 * `DELETE /api/messages/:id[?hard=true]`. Soft by its author, a moderator of
 * the channel (or an app moderator or admin) or the server, answering the
 * tombstone; hard by the server only, answering null. Non-readers get 404.
 */
export async function deleteMessage(ctx: DomainContext, caller: Caller, id: string, hard: boolean): Promise<Message | null> {
  // Its uploads' rows are marked in the transaction; their bytes go once it has committed (a reply's too).
  const removed: string[] = [];
  const result = await transact(ctx, async (trx, events) => {
    removed.length = 0;
    const { access, message: found } = await accessMessage(trx, caller, id);
    if (hard) {
      if (caller.kind !== 'server') throw new ApiError('forbidden', "a hard delete is for the server: call it with the app's X-API-Key");
    } else {
      const isAuthor = caller.kind === 'user' && found.userId === caller.user.id;
      if (!isAuthor && access.authority < rankOf('moderator')) throw new ApiError('forbidden', "deleting another's message needs a moderator of the channel");
    }
    const message = await lockMessage(trx, found);
    // Deleting another's message is a moderation action (the server's hard deletes included); one's own is not.
    if (!(caller.kind === 'user' && message.userId === caller.user.id) && (hard || message.deletedAt === null)) {
      await recordAudit(trx, {
        appId: message.appId,
        action: 'message.delete',
        actorId: actorOf(caller),
        targetType: 'message',
        targetId: message.id,
        channelId: message.channelId,
        details: { hard, authorId: message.userId },
      });
    }
    if (hard) {
      removed.push(...(await hardDelete(trx, events, message)));
      return null;
    }
    const deleted = await softDelete(trx, events, message);
    removed.push(deleted.id);
    const [wire] = await hydrateMessages(trx, deleted.appId, [deleted], callerUserId(caller));
    if (!wire) throw new Error('hydrating one message returned none');
    return wire;
  });
  await purgeUploadsOf(ctx.store, caller.app.id, removed);
  return result;
}
