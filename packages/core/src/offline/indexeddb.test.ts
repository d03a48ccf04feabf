import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { indexedDbStorage } from './indexeddb.js';
import type { OutboxEntry } from './storage.js';

const entry = (id: string, order: number): OutboxEntry => ({
  id,
  order,
  createdAt: new Date(0).toISOString(),
  op: { kind: 'send', channelId: 'c', body: { id: `msg-${id}`, text: `text ${id}` } },
});

describe('indexedDbStorage', () => {
  it('keeps entries per scope across opens, removes and clears one scope only', async () => {
    const factory = new IDBFactory();
    const first = indexedDbStorage({ factory, name: 'outbox-test' });
    await first.put('app|ann', entry('a1', 1));
    await first.put('app|ann', entry('a2', 2));
    await first.put('app|bob', entry('b1', 1));
    // Another page load: a new storage over the same database.
    const second = indexedDbStorage({ factory, name: 'outbox-test' });
    expect((await second.load('app|ann')).sort((x, y) => x.order - y.order)).toEqual([entry('a1', 1), entry('a2', 2)]);
    expect(await second.load('app|bob')).toEqual([entry('b1', 1)]);
    await second.remove('app|ann', 'a1');
    expect(await second.load('app|ann')).toEqual([entry('a2', 2)]);
    await second.clear('app|ann');
    expect(await second.load('app|ann')).toEqual([]);
    expect(await second.load('app|bob')).toEqual([entry('b1', 1)]);
  });
});
