import { ApiError } from '../../errors.js';
import type { ChannelAccess } from '../channels/channel-access.js';
import type { Tx } from '../events/batch-end.js';

/**
 * Slow mode: takes the member's next send slot, or refuses with `429
 * slow_mode` and the seconds until the slot opens (`Retry-After`). One
 * conditional update on the member's row, inside the send's transaction: two
 * sends racing on two processes cannot both pass, and a send that rolls
 * back gives its slot back. Moderators are exempt (the caller checks).
 */
export async function takeSendSlot(trx: Tx, access: ChannelAccess, userId: string, now: number): Promise<void> {
  const cooldownMs = access.channel.cooldownSeconds * 1000;
  const { appId, id: channelId } = access.channel;
  const taken = await trx
    .updateTable('members')
    .set({ last_sent_at: now })
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('last_sent_at', 'is', null), eb('last_sent_at', '<=', now - cooldownMs)]))
    .returning('user_id')
    .executeTakeFirst();
  if (taken) return;
  const row = await trx
    .selectFrom('members')
    .select('last_sent_at')
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const last = row?.last_sent_at === null || row?.last_sent_at === undefined ? now : Number(row.last_sent_at);
  // Another process's clock may run ahead of this one's: a slot it took "in the future" must not
  // promise a wait longer than the cooldown itself.
  const retryAfterSeconds = Math.min(access.channel.cooldownSeconds, Math.max(1, Math.ceil((last + cooldownMs - now) / 1000)));
  throw new ApiError('slow_mode', `channel "${channelId}" is in slow mode: one message every ${access.channel.cooldownSeconds} s; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
    details: { retryAfterSeconds, cooldownSeconds: access.channel.cooldownSeconds },
  });
}
