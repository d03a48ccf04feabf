import type { DeleteUserMessagesBody, DeleteUserMessagesResponse } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import { actorOf, recordAudit } from '../audit/audit-log.js';
import type { Caller } from '../auth/caller.js';
import { accessChannel, requireModerator } from '../channels/channel-access.js';
import { lockChannel } from '../channels/channel-lock.js';
import type { DomainContext } from '../context.js';
import { transact } from '../events/events.js';
import { purgeUploadsOf } from '../files/upload-deletes.js';
import { requireAppModerator } from '../moderation/app-moderators.js';
import { chunks, eraseAll, ID_CHUNK, softDeleteAll } from './bulk-delete-writes.js';

/** The audit log's name for a bulk delete. */
export const BULK_DELETE_ACTION = 'messages.delete';

/**
 * Who may delete a user's messages in bulk: in one channel, its moderators
 * and above (app moderators and the key included); in the whole app, app
 * moderators and the key. Erasing (`hard`) is for the key only, as it is for
 * one message (`DELETE /api/messages/:id?hard=true`) and for a review's
 * `delete_message`: it leaves nothing to look at again, so it is the app's
 * backend's decision (a legal request, an account's removal), not a moderator's.
 */
function checkScope(caller: Caller, input: DeleteUserMessagesBody): void {
  if (input.channelId === undefined) requireAppModerator(caller);
  if (input.hard === true && caller.kind !== 'server') {
    throw new ApiError('forbidden', "erasing a user's messages (hard) is for the server: call it with the app's X-API-Key");
  }
}

/** The channels of the app where the user has messages this delete would touch (deleted channels too). */
async function channelsWithMessages(ctx: DomainContext, appId: string, userId: string, hard: boolean): Promise<string[]> {
  let query = ctx.store.db.selectFrom('messages').select('channel_id').distinct().where('app_id', '=', appId).where('user_id', '=', userId);
  if (!hard) query = query.where('deleted_at', 'is', null);
  const rows = await query.orderBy('channel_id').execute();
  return rows.map((r) => r.channel_id);
}

/**
 * `POST /api/moderation/users/:userId/delete-messages`: deletes every message
 * of a user in one channel or in the whole app, soft (tombstones, as a
 * moderator's delete leaves) or hard (erased). Each channel is one
 * transaction holding its deletes, their `message.deleted` events and the
 * `messages.delete` audit entry with its count, so whatever committed is
 * announced and logged, and a failure part way leaves whole channels done.
 * `deleted` counts the messages that went (erasing a thread parent takes its
 * replies, whoever wrote them). A user with nothing left to delete (or none
 * at all: their messages may outlive an erased user) answers 0.
 */
export async function deleteUserMessages(ctx: DomainContext, caller: Caller, userId: string, input: DeleteUserMessagesBody): Promise<DeleteUserMessagesResponse> {
  checkScope(caller, input);
  const appId = caller.app.id;
  const hard = input.hard === true;
  const scope = input.channelId === undefined ? 'app' : 'channel';
  const channelIds = input.channelId === undefined ? await channelsWithMessages(ctx, appId, userId, hard) : [input.channelId];

  let deleted = 0;
  for (const channelId of channelIds) {
    let removed: string[] = [];
    await transact(ctx, async (trx, events) => {
      removed = [];
      // A channel named by the caller is checked as they may see it; the app-wide sweep is the app moderator's.
      if (input.channelId !== undefined) requireModerator(await accessChannel(trx, caller, channelId));
      await lockChannel(trx, appId, channelId);
      const place = { appId, channelId, userId, now: Date.now() };
      removed = hard ? await eraseAll(trx, events, place) : (await softDeleteAll(trx, events, place)).map((m) => m.id);
      if (removed.length === 0 && scope === 'app') return;
      await recordAudit(trx, {
        appId,
        action: BULK_DELETE_ACTION,
        actorId: actorOf(caller),
        targetType: 'user',
        targetId: userId,
        channelId,
        details: { count: removed.length, hard, scope },
        at: place.now,
      });
    }, channelId);
    deleted += removed.length;
    // The uploads' rows were marked in the transaction; their bytes go now that it has committed.
    for (const part of chunks(removed, ID_CHUNK)) await purgeUploadsOf(ctx.store, appId, part);
  }

  // An app-wide delete that found nothing is still a moderator's act: it is kept too.
  if (scope === 'app' && deleted === 0) {
    await transact(ctx, (trx) =>
      recordAudit(trx, { appId, action: BULK_DELETE_ACTION, actorId: actorOf(caller), targetType: 'user', targetId: userId, channelId: null, details: { count: 0, hard, scope } }),
    );
  }
  return { deleted };
}
