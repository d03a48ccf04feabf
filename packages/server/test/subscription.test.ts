import type { ChannelEvent } from '@chatsdk/protocol';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../src/realtime/hub.js';
import { ChannelSubscription } from '../src/realtime/subscription.js';

const durable = (offset: number): Delivery => ({
  channelId: 'c',
  json: '{}',
  offset,
  event: { type: 'channel.deleted', channelId: 'c', offset, createdAt: '' } as ChannelEvent,
  frame: Buffer.from(`pub ${offset}`),
});
const transient = (type: 'typing.start' | 'typing.stop', text: string) =>
  ({ channelId: 'c', json: '{}', offset: undefined, event: { type, channelId: 'c', userId: 'u', createdAt: '' }, frame: Buffer.from(text) }) as const;

/** Where recovery (the subscribe reply) and live delivery (the hub) meet. */
describe('a channel subscription', () => {
  it('holds live events until the reply, then sends only those past the position the reply gave, once each', () => {
    const written: string[] = [];
    const seen: number[] = [];
    const sub = new ChannelSubscription('c', (publication) => written.push(publication.frame.toString()), (event) => seen.push(event.offset ?? -1));
    // Committed while the subscribe read the stream: 4 and 5 were in the reply's publications already.
    for (const offset of [4, 5, 6]) sub.listener(durable(offset));
    sub.listener(transient('typing.start', 'typing early'));
    expect(written).toEqual([]);
    sub.start(5);
    expect(written).toEqual(['pub 6']);
    // A late duplicate (the hub's gap fill racing the bus) and an old offset go nowhere.
    sub.listener(durable(6));
    sub.listener(durable(3));
    sub.listener(durable(7));
    sub.listener(transient('typing.stop', 'typing live'));
    expect(written).toEqual(['pub 6', 'pub 7', 'typing live']);
    expect(seen).toEqual([6, 7]);
  });
});
