import type { ChannelEventInput } from '@chatsdk/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { DomainContext } from './context.js';
import { toIso } from './ids.js';

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
}

/** A transaction in which changes and their events are written together. */
export type Tx = Kysely<Database>;

/**
 * Runs `work` in one transaction with an event writer: the change and its
 * events commit together or not at all. Only after the commit are the events
 * published on the bus, so nothing is announced that could still roll back.
 */
export async function transact<T>(ctx: DomainContext, work: (trx: Tx, events: EventWriter) => Promise<T>): Promise<T> {
  const committed: CommittedEvent[] = [];
  const result = await ctx.store.db.transaction().execute(async (trx) => {
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
        const now = Date.now();
        const json = JSON.stringify({ ...event, channelId, offset, createdAt: toIso(now) });
        await trx
          .insertInto('channel_events')
          .values({ app_id: appId, channel_id: channelId, stream_offset: offset, type: event.type, payload: json, created_at: now })
          .execute();
        committed.push({ appId, channelId, offset, json, personal: PERSONAL_TYPES.has(event.type) });
        return offset;
      },
    };
    return work(trx, writer);
  });
  await publishCommitted(ctx, committed);
  return result;
}

/** Publishes committed events in offset order. A bus failure loses no event: subscribers recover from the store. */
async function publishCommitted(ctx: DomainContext, events: CommittedEvent[]): Promise<void> {
  for (const event of events) {
    await publishQuietly(ctx, channelTopic(event.appId, event.channelId), event.json);
    if (event.personal) await publishQuietly(ctx, appTopic(event.appId), event.json);
  }
}

async function publishQuietly(ctx: DomainContext, topic: string, json: string): Promise<void> {
  try {
    await ctx.bus.publish(topic, json);
  } catch {
    // Deliberately swallowed: the change is committed, and the stream holds the event for recovery.
  }
}
