import { describe, expect, it, vi } from 'vitest';
import { ChatError } from '../errors.js';
import { Outbox } from './outbox.js';
import { memoryStorage, type OutboxOperation, type OutboxStorage } from './storage.js';

const send = (text: string): OutboxOperation => ({ kind: 'send', channelId: 'c', body: { id: `id-${text}`, text } });

function outbox(execute: (op: OutboxOperation) => Promise<unknown>, storage: OutboxStorage = memoryStorage()) {
  const failed: string[] = [];
  const box = new Outbox(storage, () => 'scope', execute, { done: () => undefined, failed: (entry, error) => failed.push(`${entry.op.kind}:${error.code}`) }, 3);
  return { box, failed };
}

describe('Outbox', () => {
  it('sends in order, one at a time', async () => {
    const order: string[] = [];
    let inFlight = 0;
    const { box } = outbox(async (op) => {
      expect(++inFlight).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      if (op.kind === 'send') order.push(op.body.text ?? '');
      inFlight--;
      return op;
    });
    await Promise.all(['a', 'b', 'c', 'd'].map((text) => box.enqueue(send(text))));
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(box.entries.getSnapshot()).toEqual([]);
  });

  it('waits out network errors without using attempts, retries 5xx up to the limit, and fails a 4xx at once', async () => {
    vi.useFakeTimers();
    try {
      let networkErrors = 6;
      const { box, failed } = outbox(async (op) => {
        if (op.kind === 'send' && op.body.text === 'offline' && networkErrors-- > 0) throw new ChatError('network_error', 'offline');
        if (op.kind === 'send' && op.body.text === 'broken') throw new ChatError('internal_error', 'boom', 500);
        if (op.kind === 'send' && op.body.text === 'invalid') throw new ChatError('validation_failed', 'no', 400);
        return 'ok';
      });
      const offline = box.enqueue(send('offline'));
      const broken = box.enqueue(send('broken')).catch((e: ChatError) => e.code);
      const invalid = box.enqueue(send('invalid')).catch((e: ChatError) => e.code);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(await offline).toBe('ok');
      expect(await broken).toBe('internal_error');
      expect(await invalid).toBe('validation_failed');
      expect(failed).toEqual(['send:internal_error', 'send:validation_failed']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps working in memory when its storage cannot be read', async () => {
    const broken: OutboxStorage = { ...memoryStorage(), load: () => Promise.reject(new Error('private mode')), put: () => Promise.reject(new Error('quota')) };
    const { box } = outbox(async () => 'sent', broken);
    await box.start();
    expect(await box.enqueue(send('x'))).toBe('sent');
  });

  it('flushes what an earlier session of the same scope left, first', async () => {
    const storage = memoryStorage();
    const earlier = outbox(async () => 'never', storage);
    earlier.box.stop();
    void earlier.box.enqueue(send('left over'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const sent: string[] = [];
    const later = outbox(async (op) => (op.kind === 'send' && sent.push(op.body.text ?? ''), 'ok'), storage);
    await later.box.start();
    await later.box.enqueue(send('new'));
    expect(sent).toEqual(['left over', 'new']);
  });
});
