import type { MessageNewEvent, RealtimeChannelEvent } from '@chatsdk/protocol';
import { describe, expect, it, vi } from 'vitest';
import { ChannelStream } from './stream.js';

const event = (offset: number): MessageNewEvent => ({ type: 'message.new', channelId: 'c', offset, createdAt: '', message: { id: `m${offset}` } as MessageNewEvent['message'] });

function harness(reloadTo = 0) {
  const applied: number[] = [];
  const reload = vi.fn(async () => reloadTo);
  const stream = new ChannelStream((e: RealtimeChannelEvent) => applied.push(e.type === 'message.new' ? (e.offset ?? -1) : -1), reload, (error) => {
    throw error;
  });
  return { applied, reload, stream };
}

describe('ChannelStream', () => {
  it('applies events once, in offset order, whatever order they arrive in', () => {
    const { applied, stream } = harness();
    stream.reset(2);
    for (const offset of [1, 2, 3, 5, 4, 4, 3, 7, 6]) stream.publication(event(offset), offset);
    expect(applied).toEqual([3, 4, 5, 6, 7]);
    expect(stream.offset).toBe(7);
    stream.dispose();
  });

  it('passes transient events (no offset) straight through', () => {
    const { applied, stream } = harness();
    stream.reset(0);
    stream.publication({ type: 'typing.start', channelId: 'c', createdAt: '', userId: 'u' }, undefined);
    expect(applied).toEqual([-1]);
  });

  it('reloads when the subscription could not recover, then applies only what came after the reloaded state', async () => {
    const { applied, reload, stream } = harness(10);
    stream.reset(3);
    let finish: (offset: number) => void = () => undefined;
    reload.mockImplementationOnce(() => new Promise<number>((resolve) => (finish = resolve)));
    stream.subscribed({ wasRecovering: true, recovered: false, offset: 9, epoch: 'e' });
    expect(reload).toHaveBeenCalledTimes(1);
    // Held while reloading; 10 is in the reloaded state, 11 and 12 are not.
    for (const offset of [12, 10, 11]) stream.publication(event(offset), offset);
    expect(applied).toEqual([]);
    finish(10);
    await vi.waitFor(() => expect(applied).toEqual([11, 12]));
  });

  it('reloads when a gap does not fill', async () => {
    vi.useFakeTimers();
    try {
      const { applied, reload, stream } = harness(6);
      stream.reset(1);
      stream.publication(event(2), 2);
      stream.publication(event(5), 5);
      stream.publication(event(7), 7);
      expect(applied).toEqual([2]);
      await vi.advanceTimersByTimeAsync(2000);
      expect(reload).toHaveBeenCalledTimes(1);
      expect(applied).toEqual([2, 7]);
    } finally {
      vi.useRealTimers();
    }
  });
});
