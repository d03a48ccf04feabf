import type { Tx } from '../events/batch-end.js';

/**
 * After messages were erased, the channel's last message is the newest one
 * left if it was among them (a shadowed message never was anyone's last
 * message, so it does not become it now). The sequence itself never goes
 * back: `last_message_seq` stays, so sequence numbers are never reused.
 */
export async function settleLastMessage(trx: Tx, appId: string, channelId: string, erased: ReadonlySet<string>): Promise<void> {
  const channel = await trx.selectFrom('channels').select('last_message_id').where('app_id', '=', appId).where('id', '=', channelId).executeTakeFirstOrThrow();
  if (channel.last_message_id === null || !erased.has(channel.last_message_id)) return;
  const newest = await trx
    .selectFrom('messages')
    .select(['id', 'created_at'])
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('show_in_channel', '=', 1)
    .where('shadowed', '=', 0)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  await trx
    .updateTable('channels')
    .set({ last_message_id: newest?.id ?? null, last_message_at: newest?.created_at ?? null })
    .where('app_id', '=', appId)
    .where('id', '=', channelId)
    .execute();
}
