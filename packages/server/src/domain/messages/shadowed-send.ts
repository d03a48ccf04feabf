import type { Message } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import type { MessagesTable } from '../../store/schema.js';
import type { Tx } from '../events/batch-end.js';
import { type MessageRecord, messageFromRow, toQuoted, toWireMessage } from './message-records.js';

/** Where a send writes: its app, channel, sender, id and time. */
export interface SendPlace {
  appId: string;
  channelId: string;
  senderId: string | null;
  id: string;
  now: number;
}

/**
 * A shadow-banned user's message: stored and answered as usual, and seen by
 * nobody else. It takes the next message sequence (so the author's history
 * orders it) but no stream offset: no event is written, so no socket,
 * webhook or recovery ever carries it; the channel's last message, the
 * thread's reply count and the mentions stay as they were, and unread
 * counts, search and history leave it out for everyone but its author and
 * the channel's moderators.
 */
export async function sendShadowed(
  trx: Tx,
  row: (seq: number, mentioned: string[], inChannel: boolean) => Selectable<MessagesTable>,
  threadOnly: boolean,
  quoted: MessageRecord | undefined,
  place: SendPlace,
): Promise<Message> {
  const { last_message_seq: seq } = await trx
    .updateTable('channels')
    .set((eb) => ({ last_message_seq: eb('last_message_seq', '+', 1) }))
    .where('app_id', '=', place.appId)
    .where('id', '=', place.channelId)
    .returning('last_message_seq')
    .executeTakeFirstOrThrow();
  const fullRow = row(seq, [], !threadOnly);
  await trx.insertInto('messages').values(fullRow).execute();
  if (place.senderId !== null && !threadOnly) {
    await trx
      .updateTable('members')
      .set({ last_read_seq: seq, last_read_message_id: place.id, last_read_at: place.now })
      .where('app_id', '=', place.appId)
      .where('channel_id', '=', place.channelId)
      .where('user_id', '=', place.senderId)
      .where('last_read_seq', '<', seq)
      .execute();
  }
  return toWireMessage(messageFromRow(fullRow), { quoted: quoted ? toQuoted(quoted) : null });
}