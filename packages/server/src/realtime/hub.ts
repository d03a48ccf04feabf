import type { ChannelEvent, RealtimeChannelEvent } from '@chatsdk/protocol';
import type { Bus } from '../bus/bus.js';
import { channelTopic } from '../domain/events/events.js';
import type { Store } from '../store/store.js';
import { jsonPublicationFrame, type Publication } from './framing.js';

/**
 * A channel event as the gateway forwards it: parsed once for routing, framed
 * once per framing for every socket (the JSON `{"push":…}` bytes at once, the
 * Protobuf Reply when a Protobuf subscriber first needs it).
 */
export interface Delivery extends Publication {
  readonly offset: number;
  readonly event: ChannelEvent;
}

/** A transient event (typing): no offset, handed on as it comes, never replayed. */
export interface TransientDelivery extends Publication {
  readonly offset: undefined;
  readonly event: RealtimeChannelEvent;
}

/** Receives a channel's durable events in offset order, each once, and its transient events as they come. */
export type Listener = (delivery: Delivery | TransientDelivery) => void;

/** How long an event waits for the ones before it (published late by another request) before they are read from the store. */
const GAP_WAIT_MS = 50;

interface Topic {
  appId: string;
  channelId: string;
  listeners: Set<Listener>;
  /** Highest offset handed to listeners; every offset up to it has been handed on, in order. -1 until known. */
  delivered: number;
  /** Events that arrived ahead of a missing one, by offset. */
  ahead: Map<number, Delivery>;
  gapTimer: NodeJS.Timeout | undefined;
  stop: (() => Promise<void>) | undefined;
}

/** A publication of `json` on the channel, its JSON frame encoded once: the same bytes for every subscriber. */
function publication(channelId: string, json: string, offset: number | undefined): Publication {
  return { channelId, json, offset, frame: Buffer.from(jsonPublicationFrame(channelId, json, offset)) };
}

/**
 * The gateway's side of the bus: one bus subscription per channel that has
 * local subscribers, however many sockets watch it. Events published out of
 * order (two requests commit offsets 5 and 6 and publish 6 first) are put
 * back in order, and a gap that the bus never fills is read from the store:
 * listeners see every offset once, in order.
 */
export class ChannelHub {
  private readonly topics = new Map<string, Topic>();

  constructor(
    private readonly bus: Bus,
    private readonly store: Store,
  ) {
    // Events published by other processes while the bus was away never arrive: read them from the store.
    bus.onRestored(() => {
      for (const topic of this.topics.values()) this.catchUp(topic).catch(() => this.drain(topic));
    });
  }

  /** Starts handing the channel's events to `listener`; resolves once the bus subscription is live. */
  async join(appId: string, channelId: string, listener: Listener): Promise<void> {
    const key = channelTopic(appId, channelId);
    let topic = this.topics.get(key);
    if (!topic) {
      topic = { appId, channelId, listeners: new Set(), delivered: -1, ahead: new Map(), gapTimer: undefined, stop: undefined };
      this.topics.set(key, topic);
      const created = topic;
      created.stop = await this.bus.subscribe(key, (json) => this.receive(created, json));
      // Read after the subscription is live: whatever commits later arrives on the bus.
      const row = await this.store.db
        .selectFrom('channels')
        .select('last_offset')
        .where('app_id', '=', appId)
        .where('id', '=', channelId)
        .executeTakeFirst();
      created.delivered = row?.last_offset ?? 0;
      for (const offset of created.ahead.keys()) if (offset <= created.delivered) created.ahead.delete(offset);
      this.drain(created);
    }
    topic.listeners.add(listener);
  }

  /** Stops handing events to `listener`; the bus subscription ends with the last listener. */
  async leave(appId: string, channelId: string, listener: Listener): Promise<void> {
    const key = channelTopic(appId, channelId);
    const topic = this.topics.get(key);
    if (!topic) return;
    topic.listeners.delete(listener);
    if (topic.listeners.size === 0) {
      this.topics.delete(key);
      clearTimeout(topic.gapTimer);
      await topic.stop?.();
    }
  }

  /** Number of channels with local subscribers. */
  get size(): number {
    return this.topics.size;
  }

  private receive(topic: Topic, json: string): void {
    const event = JSON.parse(json) as RealtimeChannelEvent;
    const offset = event.type === 'typing.start' || event.type === 'typing.stop' ? undefined : event.offset;
    if (offset === undefined) {
      const delivery: TransientDelivery = { ...publication(topic.channelId, json, undefined), offset: undefined, event };
      for (const listener of topic.listeners) listener(delivery);
      return;
    }
    if (topic.delivered >= 0 && offset <= topic.delivered) return;
    topic.ahead.set(offset, { ...publication(topic.channelId, json, offset), offset, event: event as ChannelEvent });
    this.drain(topic);
  }

  private drain(topic: Topic): void {
    // Until the starting offset is known, events wait: it tells which of them are news.
    if (topic.delivered < 0) return;
    for (let next = topic.ahead.get(topic.delivered + 1); next; next = topic.ahead.get(topic.delivered + 1)) {
      topic.ahead.delete(next.offset);
      topic.delivered = next.offset;
      for (const listener of topic.listeners) listener(next);
    }
    if (topic.ahead.size > 0 && !topic.gapTimer) {
      topic.gapTimer = setTimeout(() => {
        topic.gapTimer = undefined;
        this.fillGap(topic).catch(() => {
          // The store is unreachable: try again later; the events that wait are not lost.
          this.drain(topic);
        });
      }, GAP_WAIT_MS);
    }
  }

  /** Offsets are assigned under the channel's row lock, so anything before a committed offset is committed too: the store has it. */
  private async fillGap(topic: Topic): Promise<void> {
    // The bus may have filled the gap while the timer ran.
    if (topic.ahead.size === 0 || !this.topics.has(channelTopic(topic.appId, topic.channelId))) return;
    const upTo = Math.min(...topic.ahead.keys());
    if (upTo <= topic.delivered + 1) return this.drain(topic);
    await this.readStored(topic, upTo);
  }

  /** Hands on every event the store has past what was delivered: the bus may have lost any number of them. */
  private async catchUp(topic: Topic): Promise<void> {
    if (topic.delivered < 0) return;
    const row = await this.store.db
      .selectFrom('channels')
      .select('last_offset')
      .where('app_id', '=', topic.appId)
      .where('id', '=', topic.channelId)
      .executeTakeFirst();
    if (row && row.last_offset > topic.delivered) await this.readStored(topic, row.last_offset + 1);
  }

  /** Reads the stored events after the last delivered one and before `upTo`, and hands them on in order. */
  private async readStored(topic: Topic, upTo: number): Promise<void> {
    const rows = await this.store.db
      .selectFrom('channel_events')
      .select(['stream_offset', 'payload'])
      .where('app_id', '=', topic.appId)
      .where('channel_id', '=', topic.channelId)
      .where('stream_offset', '>', topic.delivered)
      .where('stream_offset', '<', upTo)
      .orderBy('stream_offset')
      .execute();
    for (const row of rows) {
      if (row.stream_offset > topic.delivered && !topic.ahead.has(row.stream_offset)) {
        topic.ahead.set(row.stream_offset, {
          ...publication(topic.channelId, row.payload, row.stream_offset),
          offset: row.stream_offset,
          event: JSON.parse(row.payload) as ChannelEvent,
        });
      }
    }
    this.drain(topic);
  }
}
