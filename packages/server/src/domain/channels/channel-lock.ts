import type { Tx } from '../events/events.js';
import { type ChannelRecord, channelFromRow } from './channel-records.js';

/**
 * Row-locks the channel (PostgreSQL; SQLite runs one transaction at a time)
 * and returns it as it stands now. Writers that will emit an event take this
 * lock first, because emitting takes it anyway: sending takes the channel,
 * then message and member rows, so a writer that took a message or member
 * row first and the channel last could deadlock against a send. Taking it
 * first also serialises writers that recompute per-message aggregates.
 */
export async function lockChannel(trx: Tx, appId: string, channelId: string): Promise<ChannelRecord> {
  const row = await trx
    .updateTable('channels')
    .set((eb) => ({ last_offset: eb.ref('last_offset') }))
    .where('app_id', '=', appId)
    .where('id', '=', channelId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return channelFromRow(row);
}
