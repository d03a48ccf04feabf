import type { Flag, ReviewFlagBody } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { FlagsTable } from '../../store/schema.js';
import { actorOf, recordAudit } from '../audit/audit-log.js';
import type { BanRecord } from '../auth/ban-records.js';
import type { Caller } from '../auth/caller.js';
import type { DomainContext } from '../context.js';
import { type Tx, transact } from '../events/events.js';
import { deleteMessage } from '../messages/message-deletes.js';
import { requireAppModerator } from '../moderation/app-moderators.js';
import { announceBan, writeBan } from '../moderation/bans.js';
import { findFlag, hydrateFlag } from '../moderation/flag-records.js';
import { unhide } from './message-visibility.js';

type FlagRow = Selectable<FlagsTable>;

function flagNotFound(id: string): ApiError {
  return new ApiError('flag_not_found', `no flag "${id}" in the review queue of this app`);
}

/** Row-locks the channel, if it still has a row (lockChannel's throw would be a 500 for a channel erased since). */
async function lockChannelIfAny(trx: Tx, appId: string, channelId: string): Promise<void> {
  await trx
    .updateTable('channels')
    .set((eb) => ({ last_offset: eb.ref('last_offset') }))
    .where('app_id', '=', appId)
    .where('id', '=', channelId)
    .execute();
}

/** Refuses what the action cannot do to this flag's target, before anything is written. */
function checkAction(flag: FlagRow, body: ReviewFlagBody): void {
  const isMessage = flag.target_type === 'message';
  if (body.action === 'delete_message' && !isMessage) throw new ApiError('validation_failed', 'body/action delete_message is for a flagged message; this flag is of a user');
  if ((body.action === 'ban_user' || body.action === 'shadow_ban_user') && flag.target_user_id === null) {
    throw new ApiError('validation_failed', 'the flagged message was sent by the server: there is no user to ban');
  }
  if (body.channelOnly === true && !(isMessage && (body.action === 'ban_user' || body.action === 'shadow_ban_user'))) {
    throw new ApiError('validation_failed', "body/channelOnly bans from a flagged message's channel: it needs a message flag and a ban action");
  }
  if (body.hard === true && body.action !== 'delete_message') throw new ApiError('validation_failed', 'body/hard is for delete_message');
  if (body.timeoutMinutes !== undefined && body.action !== 'ban_user' && body.action !== 'shadow_ban_user') {
    throw new ApiError('validation_failed', 'body/timeoutMinutes is for ban_user and shadow_ban_user');
  }
}

/**
 * Deletes the flagged message through the one delete path (its rules and its
 * events: a hard delete is the server's, as for DELETE /api/messages/:id).
 * It commits on its own, before the review: a review that then fails leaves
 * the flag pending, and doing it again finds the message deleted already
 * (a tombstone deletes as a no-op, a message gone is taken as done).
 */
async function deleteFlaggedMessage(ctx: DomainContext, caller: Caller, flag: FlagRow, hard: boolean): Promise<void> {
  try {
    await deleteMessage(ctx, caller, flag.target_id, hard);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'message_not_found')) throw error;
  }
}

/**
 * `POST /api/moderation/flags/:id/review`, for app moderators and the key:
 * - `dismiss`: nothing was wrong; an auto-hidden message shows again (`message.updated`);
 * - `delete_message`: the message is deleted, soft or (`hard`, the key only) for good, with its events;
 * - `ban_user` / `shadow_ban_user`: the flagged user, or the message's author, is banned from the
 *   app (or with `channelOnly` from the message's channel), for `timeoutMinutes` or until lifted.
 * The flag becomes `reviewed` with the review, its audit entry (`review`) and a ban commit together;
 * a later new report makes it pending again. Reviewing a reviewed flag replaces its review.
 */
export async function reviewFlag(ctx: DomainContext, caller: Caller, flagId: string, body: ReviewFlagBody): Promise<Flag> {
  requireAppModerator(caller);
  const appId = caller.app.id;
  const found = await findFlag(ctx.store.db, appId, flagId);
  if (!found) throw flagNotFound(flagId);
  checkAction(found, body);
  if (body.action === 'delete_message') await deleteFlaggedMessage(ctx, caller, found, body.hard === true);

  const actorId = actorOf(caller);
  let ban: BanRecord | undefined;
  const flag = await transact(ctx, async (trx, events) => {
    ban = undefined;
    // The channel before the flag, in the order a report takes them (it locks the channel, then counts on
    // the flag): taking them the other way round could deadlock against a report on PostgreSQL.
    if (found.target_type === 'message' && found.channel_id !== null) await lockChannelIfAny(trx, appId, found.channel_id);
    const now = Date.now();
    const row = await trx
      .updateTable('flags')
      .set({ status: 'reviewed', review_action: body.action, reviewed_by: actorId, review_reason: body.reason ?? null, reviewed_at: now, updated_at: now })
      .where('app_id', '=', appId)
      .where('id', '=', flagId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw flagNotFound(flagId);
    const isMessage = row.target_type === 'message';
    const unhidden = body.action === 'dismiss' && isMessage ? await unhide(trx, events, appId, row.target_id) : false;
    if ((body.action === 'ban_user' || body.action === 'shadow_ban_user') && row.target_user_id !== null) {
      ban = await writeBan(trx, ctx.store, actorId, {
        appId,
        userId: row.target_user_id,
        channelId: body.channelOnly === true ? row.channel_id : null,
        reason: body.reason ?? null,
        ...(body.timeoutMinutes === undefined ? {} : { timeoutMinutes: body.timeoutMinutes }),
        shadow: body.action === 'shadow_ban_user',
      });
    }
    await recordAudit(trx, {
      appId,
      action: 'review',
      actorId,
      targetType: 'flag',
      targetId: row.id,
      channelId: row.channel_id,
      reason: body.reason ?? null,
      details: {
        action: body.action,
        targetType: row.target_type,
        targetId: row.target_id,
        ...(row.target_user_id === null ? {} : { userId: row.target_user_id }),
        ...(body.action === 'delete_message' ? { hard: body.hard === true } : {}),
        ...(unhidden ? { unhidden: true } : {}),
        ...(ban ? { banChannelId: ban.channelId, expiresAt: ban.expiresAt } : {}),
      },
      at: now,
    });
    return hydrateFlag(trx, appId, row);
  }, found.target_type === 'message' && found.channel_id !== null ? found.channel_id : '');
  if (ban) await announceBan(ctx.bus, ban);
  return flag;
}
