import type { ExpressionBuilder } from 'kysely';
import { ApiError } from '../../errors.js';
import type { Database } from '../../store/schema.js';
import type { ChannelAccess } from '../channels/channel-access.js';
import type { Tx } from '../events/batch-end.js';

/** Where a member's slot is kept: their row of the channel. */
interface SlotKey {
  appId: string;
  channelId: string;
  userId: string;
  /** When their membership began. */
  joinedAt: number;
}

/**
 * When the member last sent here before their membership began: leaving
 * and joining again makes a new member row with no `last_sent_at`, and must
 * not give a fresh slot. The newest such message by sequence, found by
 * walking the user's messages of the channel back from the newest (index
 * `messages_by_user`); messages since they joined are not looked at, so the
 * server's sends on their behalf (which slow mode exempts) never count.
 */
function sentBeforeJoining(eb: ExpressionBuilder<Database, 'members'>, key: SlotKey) {
  return eb
    .selectFrom('messages')
    .select('messages.created_at')
    .where('messages.app_id', '=', key.appId)
    .where('messages.user_id', '=', key.userId)
    .where('messages.channel_id', '=', key.channelId)
    .where('messages.created_at', '<', key.joinedAt)
    .orderBy('messages.seq', 'desc')
    .limit(1);
}

/**
 * Slow mode: takes the member's next send slot, or refuses with `429
 * slow_mode` and the seconds until the slot opens (`Retry-After`). One
 * conditional update on the member's row, inside the send's transaction: two
 * sends racing on two processes cannot both pass, and a send that rolls
 * back gives its slot back. Moderators are exempt (the caller checks).
 */
export async function takeSendSlot(trx: Tx, access: ChannelAccess, userId: string, now: number): Promise<void> {
  const cooldownSeconds = access.channel.cooldownSeconds;
  const since = now - cooldownSeconds * 1000;
  const key: SlotKey = { appId: access.channel.appId, channelId: access.channel.id, userId, joinedAt: access.member?.joinedAt ?? now };
  const member = (eb: ExpressionBuilder<Database, 'members'>) =>
    eb.and([eb('app_id', '=', key.appId), eb('channel_id', '=', key.channelId), eb('user_id', '=', key.userId)]);
  const taken = await trx
    .updateTable('members')
    .set({ last_sent_at: now })
    .where(member)
    .where((eb) =>
      eb.or([
        eb('last_sent_at', '<=', since),
        // No slot taken in this membership yet: free unless they sent within the cooldown before joining.
        eb.and([eb('last_sent_at', 'is', null), eb(eb.fn.coalesce(sentBeforeJoining(eb, key), eb.val(0)), '<=', since)]),
      ]),
    )
    .returning('user_id')
    .executeTakeFirst();
  if (taken) return;
  const row = await trx
    .selectFrom('members')
    .select((eb) => ['last_sent_at', sentBeforeJoining(eb, key).as('sent_before')])
    .where(member)
    .executeTakeFirst();
  const lastSent = row?.last_sent_at ?? row?.sent_before;
  const last = lastSent === null || lastSent === undefined ? now : Number(lastSent);
  // Another process's clock may run ahead of this one's: a slot it took "in the future" must not
  // promise a wait longer than the cooldown itself.
  throw slowMode(key.channelId, cooldownSeconds, Math.min(cooldownSeconds, Math.max(1, Math.ceil((last - since) / 1000))));
}

function slowMode(channelId: string, cooldownSeconds: number, retryAfterSeconds: number): ApiError {
  return new ApiError('slow_mode', `channel "${channelId}" is in slow mode: one message every ${cooldownSeconds} s; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
    details: { retryAfterSeconds, cooldownSeconds },
  });
}

/**
 * Refuses at once a send whose member took a slot within the cooldown, as
 * their membership read it: before the before-send hook is asked, so a send
 * slow mode will refuse is not shown to the app's server. Only a first
 * look: `takeSendSlot` decides, in the transaction.
 */
export function refuseWhileCooling(access: ChannelAccess, now: number): void {
  const lastSentAt = access.member?.lastSentAt;
  const cooldownSeconds = access.channel.cooldownSeconds;
  if (lastSentAt === null || lastSentAt === undefined || cooldownSeconds === 0) return;
  const opensAt = lastSentAt + cooldownSeconds * 1000;
  if (opensAt > now) throw slowMode(access.channel.id, cooldownSeconds, Math.min(cooldownSeconds, Math.max(1, Math.ceil((opensAt - now) / 1000))));
}
