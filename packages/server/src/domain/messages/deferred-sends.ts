import { type Insertable, type Selectable, sql } from 'kysely';
import { ApiError } from '../../errors.js';
import type { ChannelEventsTable, MessagesTable } from '../../store/schema.js';
import { atBatchEnd, type Tx } from '../events/batch-end.js';

/** A channel's counters as this transaction has moved them, not yet written. */
interface ChannelCounters {
  appId: string;
  channelId: string;
  seq: number;
  offset: number;
  lastMessageId: string | undefined;
  lastMessageAt: number | undefined;
}

/** A sender's read position after their newest deferred message of a channel. */
interface ReadPosition {
  userId: string;
  seq: number;
  messageId: string;
  at: number;
}

/** What the plain sends of one transaction will write at its end. */
interface Deferred {
  counters: Map<string, ChannelCounters>;
  messages: Insertable<MessagesTable>[];
  events: Insertable<ChannelEventsTable>[];
  /** By channel key, then user. */
  reads: Map<string, Map<string, ReadPosition>>;
  /** By channel key: senders whose membership was checked before the transaction, to confirm at its end. */
  senders: Map<string, Set<string>>;
}

const pending = new WeakMap<Tx, Deferred>();

const keyOf = (appId: string, channelId: string) => `${appId}\u0000${channelId}`;

/** Rows per multi-row insert: about 25 parameters a message keeps each statement under SQLite's and PostgreSQL's limits. */
const ROWS_PER_INSERT = 200;

function deferredOf(trx: Tx): Deferred {
  let deferred = pending.get(trx);
  if (!deferred) {
    deferred = { counters: new Map(), messages: [], events: [], reads: new Map(), senders: new Map() };
    pending.set(trx, deferred);
    // The transaction machinery writes these before the commit, and before any work that writes directly.
    atBatchEnd(trx, flushDeferredSends);
  }
  return deferred;
}

/**
 * The next message sequence and stream offset of a channel, for a send whose
 * writes are deferred to the end of its transaction. The first call for a
 * channel row-locks it and reads its counters (one statement); later sends to
 * the same channel in the same transaction count on from there in memory.
 */
export async function takeNextSlot(trx: Tx, appId: string, channelId: string): Promise<{ seq: number; offset: number }> {
  const deferred = deferredOf(trx);
  const key = keyOf(appId, channelId);
  let counters = deferred.counters.get(key);
  if (!counters) {
    const row = await trx
      .updateTable('channels')
      .set((eb) => ({ last_offset: eb.ref('last_offset') }))
      .where('app_id', '=', appId)
      .where('id', '=', channelId)
      .where('deleted_at', 'is', null)
      .returning(['last_message_seq', 'last_offset'])
      .executeTakeFirst();
    // Deleted since the sender's access was checked.
    if (!row) throw new ApiError('channel_not_found', `no channel "${channelId}" in this app`);
    counters = { appId, channelId, seq: row.last_message_seq, offset: row.last_offset, lastMessageId: undefined, lastMessageAt: undefined };
    deferred.counters.set(key, counters);
  }
  counters.seq += 1;
  counters.offset += 1;
  return { seq: counters.seq, offset: counters.offset };
}

/**
 * Queues a sent message, its event and its sender's new read position, to be
 * written with the other sends of the transaction by `flushDeferredSends`.
 */
export function deferSend(
  trx: Tx,
  message: Selectable<MessagesTable>,
  event: Insertable<ChannelEventsTable>,
  senderRead: ReadPosition | undefined,
  confirmMembership: boolean,
): void {
  const deferred = deferredOf(trx);
  const key = keyOf(message.app_id, message.channel_id);
  const counters = deferred.counters.get(key);
  if (!counters) throw new Error('deferSend before takeNextSlot');
  counters.lastMessageId = message.id;
  counters.lastMessageAt = message.created_at;
  deferred.messages.push(message);
  deferred.events.push(event);
  if (confirmMembership && message.user_id !== null) {
    let senders = deferred.senders.get(key);
    if (!senders) deferred.senders.set(key, (senders = new Set()));
    senders.add(message.user_id);
  }
  if (senderRead) {
    let reads = deferred.reads.get(key);
    if (!reads) deferred.reads.set(key, (reads = new Map()));
    reads.set(senderRead.userId, senderRead);
  }
}

/**
 * Writes what the transaction's plain sends deferred: each channel's counters
 * once, the messages and events as multi-row inserts, and the senders' read
 * positions in one statement per channel. A batch of sends then costs a few
 * statements in all instead of five each: on PostgreSQL every statement is a
 * round trip. Called before the commit, and before any other write in the
 * transaction so that it sees the sends before it.
 */
async function flushDeferredSends(trx: Tx): Promise<void> {
  const deferred = pending.get(trx);
  if (!deferred) return;
  pending.delete(trx);
  for (const [key, senders] of deferred.senders) {
    const counters = deferred.counters.get(key);
    if (counters) await confirmMembers(trx, counters.appId, counters.channelId, [...senders]);
  }
  for (const counters of deferred.counters.values()) {
    await trx
      .updateTable('channels')
      .set({
        last_message_seq: counters.seq,
        last_offset: counters.offset,
        ...(counters.lastMessageId !== undefined && counters.lastMessageAt !== undefined
          ? { last_message_id: counters.lastMessageId, last_message_at: counters.lastMessageAt }
          : {}),
      })
      .where('app_id', '=', counters.appId)
      .where('id', '=', counters.channelId)
      .execute();
  }
  for (let i = 0; i < deferred.messages.length; i += ROWS_PER_INSERT) {
    await trx.insertInto('messages').values(deferred.messages.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  for (let i = 0; i < deferred.events.length; i += ROWS_PER_INSERT) {
    await trx.insertInto('channel_events').values(deferred.events.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  for (const [key, reads] of deferred.reads) {
    const counters = deferred.counters.get(key);
    if (counters) await moveReadPositions(trx, counters.appId, counters.channelId, [...reads.values()]);
  }
}

/**
 * Fails the transaction when a sender stopped being a member after the check
 * before it: under the channel's lock, so no removal can slip in between.
 * The batch's units then run alone, and the removed sender's own run is the
 * one that fails.
 */
async function confirmMembers(trx: Tx, appId: string, channelId: string, userIds: string[]): Promise<void> {
  const rows = await trx
    .selectFrom('members')
    .select('user_id')
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('user_id', 'in', userIds)
    .execute();
  if (rows.length === userIds.length) return;
  const present = new Set(rows.map((r) => r.user_id));
  const gone = userIds.find((id) => !present.has(id));
  throw new ApiError('forbidden', `"${gone}" is no longer a member of channel "${channelId}"`);
}

/**
 * Moves several members' read positions forward in one statement (never
 * back). One's own message is read, and every mention before it with it.
 */
async function moveReadPositions(trx: Tx, appId: string, channelId: string, reads: ReadPosition[]): Promise<void> {
  const rows = sql.join(
    reads.map((r) => sql`(cast(${r.userId} as text), cast(${r.seq} as bigint), cast(${r.messageId} as text), cast(${r.at} as bigint))`),
  );
  // A CTE with named columns and UPDATE … FROM read the same on SQLite (3.33+) and PostgreSQL.
  await sql`
    with positions(user_id, seq, message_id, read_at) as (values ${rows})
    update members
    set last_read_seq = positions.seq, last_read_message_id = positions.message_id, last_read_at = positions.read_at, unread_mentions = 0
    from positions
    where members.app_id = ${appId} and members.channel_id = ${channelId}
      and members.user_id = positions.user_id and members.last_read_seq < positions.seq
  `.execute(trx);
}
