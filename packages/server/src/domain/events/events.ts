import type { ChannelEventInput } from '@chatsdk/protocol';
import type { Insertable } from 'kysely';
import type { ChannelEventsTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { toIso } from '../common/ids.js';
import type { DomainContext } from '../context.js';
import { runBatchEndWriters, type Tx } from './batch-end.js';
import { eventsCommitted, recordEvent } from './event-sinks.js';
import { sharedCommits } from './shared-commits.js';

export type { Tx } from './batch-end.js';

/** The bus topic of one channel's stream. */
export function channelTopic(appId: string, channelId: string): string {
  return `ch:${appId}:${channelId}`;
}

/**
 * The bus topic every process with a connection of the app listens to: the
 * channel events that concern members who do not watch the channel (they
 * feed personal streams), and presence changes.
 */
export function appTopic(appId: string): string {
  return `app:${appId}`;
}

/** Channel events that personal streams are made of; the rest concern only a channel's watchers. */
const PERSONAL_TYPES: ReadonlySet<ChannelEventInput['type']> = new Set([
  'message.new',
  'member.added',
  'member.removed',
  'channel.deleted',
  'message.read',
]);

/** An event as committed: its stream offset and its JSON, serialised once for every receiver. */
export interface CommittedEvent {
  appId: string;
  channelId: string;
  offset: number;
  json: string;
  /** Also published on the app's topic, for personal streams. */
  personal: boolean;
}

/** Appends events to channel streams inside the caller's transaction. */
export interface EventWriter {
  /** Gives the event the channel's next offset and stores it; returns the offset. */
  emit(appId: string, channelId: string, event: ChannelEventInput): Promise<number>;
  /**
   * Stores the event at `offset`, which the caller has already taken by
   * raising the channel's `last_offset` in its own update of the channel row
   * (a send does, to update that row once instead of twice).
   */
  emitAt(appId: string, channelId: string, offset: number, event: ChannelEventInput): Promise<void>;
  /**
   * The row of an event at `offset` for the caller to store later in the
   * same transaction (a plain send defers its rows to the end of the batch); it is published after the commit
   * like the others.
   */
  deferredEvent(appId: string, channelId: string, offset: number, event: ChannelEventInput): Insertable<ChannelEventsTable>;
}

/** How well commits are shared on this store so far. */
export function commitStats(store: Store): Readonly<{ commits: number; units: number }> {
  return sharedCommits(store).stats;
}

/**
 * Runs `work` in a transaction with an event writer: the change and its
 * events commit together or not at all. Only after the commit are the events
 * published on the bus, so nothing is announced that could still roll back.
 *
 * Concurrent calls share transactions (group commit, see CommitBatcher):
 * `work` may run more than once, each time from the start, and must keep no
 * state outside the transaction between runs. `channelId` names the channel
 * whose row the work locks (and the only one), so that writers to one channel
 * queue in one lane; without it the work runs in the lane for unkeyed work.
 * Work in `deferring` mode may leave writes for the end of the transaction
 * (registered with `atBatchEnd`) and must run them itself before any other write.
 */
export async function transact<T>(
  ctx: DomainContext,
  work: (trx: Tx, events: EventWriter) => Promise<T>,
  channelId = '',
  mode: 'immediate' | 'deferring' = 'immediate',
): Promise<T> {
  let committed: CommittedEvent[] = [];
  const result = await sharedCommits(ctx.store).run(channelId, async (trx) => {
    committed = [];
    // Sends earlier in this transaction may have left their writes for its end; other work must see them.
    if (mode === 'immediate') await runBatchEndWriters(trx);
    // The event's row, stamped and serialised once; it is published after the commit.
    const eventRow = (appId: string, channelId: string, offset: number, event: ChannelEventInput) => {
      const now = Date.now();
      const json = JSON.stringify({ ...event, channelId, offset, createdAt: toIso(now) });
      committed.push({ appId, channelId, offset, json, personal: PERSONAL_TYPES.has(event.type) });
      // Sinks (webhook deliveries) write what follows from the event in this same transaction.
      recordEvent(ctx.store, trx, { appId, lane: channelId, type: event.type, json, at: now });
      return { app_id: appId, channel_id: channelId, stream_offset: offset, type: event.type, payload: json, created_at: now };
    };
    const record = async (appId: string, channelId: string, offset: number, event: ChannelEventInput) => {
      await trx.insertInto('channel_events').values(eventRow(appId, channelId, offset, event)).execute();
    };
    const writer: EventWriter = {
      async emit(appId, channelId, event) {
        // Bumping the counter row-locks the channel (PostgreSQL), so offsets follow commit order per channel.
        const { last_offset: offset } = await trx
          .updateTable('channels')
          .set((eb) => ({ last_offset: eb('last_offset', '+', 1) }))
          .where('app_id', '=', appId)
          .where('id', '=', channelId)
          .returning('last_offset')
          .executeTakeFirstOrThrow();
        await record(appId, channelId, offset, event);
        return offset;
      },
      emitAt: record,
      deferredEvent: eventRow,
    };
    return work(trx, writer);
  });
  publishCommitted(ctx, committed);
  if (committed.length > 0) eventsCommitted(ctx.store);
  return result;
}

/**
 * Publishes committed events in offset order: every publish is issued at once,
 * in order, so the events of the next batch cannot overtake them. The answer
 * does not wait for the bus: the change is committed, this process's sockets
 * have the events when `publish` returns, and a bus that is slow or away must
 * not hold up the caller. A bus failure loses no event: other processes read
 * it from the store (the hub fills gaps, and catches up when the bus is back).
 */
function publishCommitted(ctx: DomainContext, events: CommittedEvent[]): void {
  for (const event of events) {
    void publishQuietly(ctx, channelTopic(event.appId, event.channelId), event.json);
    if (event.personal) void publishQuietly(ctx, appTopic(event.appId), event.json);
  }
}

async function publishQuietly(ctx: DomainContext, topic: string, json: string): Promise<void> {
  try {
    await ctx.bus.publish(topic, json);
  } catch {
    // Deliberately swallowed: the change is committed, and the stream holds the event for recovery.
  }
}
