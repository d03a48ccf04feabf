import type { ChannelEvent, ChannelEventType } from '@chatsdk/protocol';
import { expect } from 'vitest';
import type { TestServer } from './server.js';

/** One stored event of a channel's stream, as the store holds it. */
export interface StoredEvent {
  offset: number;
  type: string;
  event: ChannelEvent;
}

/** Every event of a channel's stream, oldest first, read straight from `channel_events`. */
export async function streamOf(t: TestServer, appId: string, channelId: string): Promise<StoredEvent[]> {
  const rows = await t.server.context.store.db
    .selectFrom('channel_events')
    .select(['stream_offset', 'type', 'payload'])
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .orderBy('stream_offset')
    .execute();
  return rows.map((r) => ({ offset: Number(r.stream_offset), type: r.type, event: JSON.parse(r.payload) as ChannelEvent }));
}

/**
 * Runs `change` and asserts it wrote exactly `types` to the channel's stream,
 * at the offsets right after the previous newest, with the channel's counter
 * at the last of them. Returns the new events. An empty `types` asserts that
 * nothing was written (a refused or no-op change).
 */
export async function expectEvents<T>(
  t: TestServer,
  appId: string,
  channelId: string,
  types: ChannelEventType[],
  change: () => Promise<T>,
): Promise<{ result: T; events: StoredEvent[] }> {
  const before = await streamOf(t, appId, channelId);
  const last = before.at(-1)?.offset ?? 0;
  const result = await change();
  const after = await streamOf(t, appId, channelId);
  const added = after.slice(before.length);
  expect(added.map((e) => e.type)).toEqual(types);
  expect(added.map((e) => e.offset)).toEqual(types.map((_, i) => last + 1 + i));
  for (const e of added) {
    expect(e.event.type).toBe(e.type);
    expect(e.event.offset).toBe(e.offset);
    expect(e.event.channelId).toBe(channelId);
  }
  const channel = await t.server.context.store.db
    .selectFrom('channels')
    .select('last_offset')
    .where('app_id', '=', appId)
    .where('id', '=', channelId)
    .executeTakeFirstOrThrow();
  expect(Number(channel.last_offset)).toBe(last + added.length);
  return { result, events: added };
}
