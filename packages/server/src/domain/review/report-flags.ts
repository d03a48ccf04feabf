import type { Flag, FlagBody, FlagResponse } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import type { UserCaller } from '../auth/caller.js';
import type { DomainContext } from '../context.js';
import { transact } from '../events/events.js';
import { accessMessage, lockMessage, messageNotFound } from '../messages/message-access.js';
import { findMessage } from '../messages/message-records.js';
import { announceFlags } from '../moderation/flag-announce.js';
import { writeReport } from '../moderation/flag-writes.js';
import { getUser } from '../users/users.js';
import { hideIfReported } from './message-visibility.js';

/** Tells the moderators of a new report, after its commit; a repeat report is no news. */
async function answered(ctx: DomainContext, appId: string, result: FlagResponse): Promise<FlagResponse> {
  if (result.created) await announceFlags(ctx.bus, appId, [result.flag]);
  return result;
}

/**
 * `POST /api/messages/:id/flag`: a reader of the message's channel reports
 * it, once (asking again answers the flag with `created: false`). One's own
 * message is refused (400); a message the caller may not read, or a shadowed
 * one they do not see, is 404 like an absent one. The report, its count,
 * the audit entry, the webhook event and an auto-hide commit together.
 */
export async function flagMessage(ctx: DomainContext, caller: UserCaller, messageId: string, body: FlagBody): Promise<FlagResponse> {
  const appId = caller.app.id;
  // Read first for its channel: the transaction runs in that channel's lane and takes its lock.
  const first = await findMessage(ctx.store.db, appId, messageId);
  if (!first) throw messageNotFound(messageId);
  const result = await transact(ctx, async (trx, events) => {
    // A shadowed message is absent for everyone but its author and the channel's moderators (accessMessage).
    const { message: found } = await accessMessage(trx, caller, messageId);
    if (found.userId === caller.user.id) throw new ApiError('validation_failed', 'you cannot flag your own message');
    // The channel first, as every change to a message takes it: the hide below then acts on the current row.
    const message = await lockMessage(trx, found);
    if (message.deletedAt !== null) throw new ApiError('validation_failed', 'this message is deleted: there is nothing left to review');
    const report = await writeReport(
      ctx.store,
      trx,
      {
        appId,
        target: { type: 'message', id: message.id },
        channelId: message.channelId,
        targetUserId: message.userId,
        reporterId: caller.user.id,
        reason: body.reason,
        custom: body.custom,
        now: Date.now(),
      },
      async (row) => {
        await hideIfReported(trx, events, caller.app, message, row);
      },
    );
    return { flag: report.flag, created: report.created };
  }, first.channelId);
  return answered(ctx, appId, result);
}

/**
 * `POST /api/users/:id/flag`: a user reports another user of their app,
 * once. Flagging oneself is refused (400); an unknown or deleted user is 404.
 */
export async function flagUser(ctx: DomainContext, caller: UserCaller, userId: string, body: FlagBody): Promise<FlagResponse> {
  const appId = caller.app.id;
  if (userId === caller.user.id) throw new ApiError('validation_failed', 'you cannot flag yourself');
  if (!(await getUser(ctx.store, appId, userId))) throw new ApiError('user_not_found', `no user "${userId}" in this app`);
  const result = await transact(ctx, async (trx) => {
    const report = await writeReport(ctx.store, trx, {
      appId,
      target: { type: 'user', id: userId },
      channelId: null,
      targetUserId: userId,
      reporterId: caller.user.id,
      reason: body.reason,
      custom: body.custom,
      now: Date.now(),
    });
    return { flag: report.flag, created: report.created } satisfies { flag: Flag; created: boolean };
  });
  return answered(ctx, appId, result);
}
