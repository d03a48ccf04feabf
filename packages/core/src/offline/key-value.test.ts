import { describe, expect, it } from 'vitest';
import { type AsyncKeyValueStore, keyValueStorage } from './key-value.js';
import type { OutboxEntry } from './storage.js';

const entry = (id: string, order: number, text = `text ${id}`): OutboxEntry => ({
  id,
  order,
  createdAt: new Date(0).toISOString(),
  op: { kind: 'send', channelId: 'c', body: { id: `msg-${id}`, text } },
});

/** AsyncStorage's shape over a Map: async as its native module, strings only, and each call a task of its own. */
function asyncStorage(options: { multi?: boolean } = {}) {
  const values = new Map<string, string>();
  const later = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
  const store: AsyncKeyValueStore = {
    async getItem(key) {
      await later();
      return values.get(key) ?? null;
    },
    async setItem(key, value) {
      await later();
      if (typeof value !== 'string') throw new TypeError(`the value of ${key} is not a string`);
      values.set(key, value);
    },
    async removeItem(key) {
      await later();
      values.delete(key);
    },
    ...(options.multi
      ? {
          async multiGet(keys: readonly string[]) {
            await later();
            return keys.map((key) => [key, values.get(key) ?? null] as const);
          },
          async multiRemove(keys: readonly string[]) {
            await later();
            for (const key of keys) values.delete(key);
          },
        }
      : {}),
  };
  return { store, values };
}

const byOrder = (entries: OutboxEntry[]) => [...entries].sort((a, b) => a.order - b.order);

describe('keyValueStorage', () => {
  for (const multi of [false, true]) {
    it(`keeps entries per scope across adapters, removes and clears one scope only (${multi ? 'with' : 'without'} multiGet)`, async () => {
      const { store, values } = asyncStorage({ multi });
      const first = keyValueStorage(store);
      await Promise.all([first.put('https://chat.example|ann', entry('a1', 1)), first.put('https://chat.example|ann', entry('a2', 2)), first.put('https://chat.example|bob', entry('b1', 1))]);
      // The app restarted: a new adapter over the same AsyncStorage.
      const second = keyValueStorage(store);
      expect(byOrder(await second.load('https://chat.example|ann'))).toEqual([entry('a1', 1), entry('a2', 2)]);
      expect(await second.load('https://chat.example|bob')).toEqual([entry('b1', 1)]);
      await second.remove('https://chat.example|ann', 'a1');
      expect(await second.load('https://chat.example|ann')).toEqual([entry('a2', 2)]);
      await second.clear('https://chat.example|ann');
      expect(await second.load('https://chat.example|ann')).toEqual([]);
      expect(await second.load('https://chat.example|bob')).toEqual([entry('b1', 1)]);
      await second.remove('https://chat.example|bob', 'b1');
      expect([...values.keys()]).toEqual([]);
    });
  }

  it('loses no index update when puts and removes of many writers interleave', async () => {
    const { store } = asyncStorage();
    const a = keyValueStorage(store);
    const b = keyValueStorage(store);
    const ids = Array.from({ length: 30 }, (_, i) => `e${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).put('scope', entry(id, i))));
    await Promise.all(ids.filter((_, i) => i % 3 === 0).map((id, i) => (i % 2 ? b : a).remove('scope', id)));
    expect(byOrder(await a.load('scope')).map((e) => e.id)).toEqual(ids.filter((_, i) => i % 3 !== 0));
  });

  it('writes keys that secure stores accept, one per entry, and never mixes up two scopes', async () => {
    const { store, values } = asyncStorage();
    const storage = keyValueStorage(store);
    await storage.put('http://a.b|c', entry('x', 1, 'long '.repeat(1000)));
    await storage.put('http://a|b.c', entry('y', 1));
    await storage.put('http://a.b|c.x', entry('z', 1));
    for (const key of values.keys()) expect(key).toMatch(/^chatsdk\.outbox\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/);
    expect(values.size).toBe(6);
    expect((await storage.load('http://a.b|c')).map((e) => e.id)).toEqual(['x']);
    expect((await storage.load('http://a|b.c')).map((e) => e.id)).toEqual(['y']);
    expect((await storage.load('http://a.b|c.x')).map((e) => e.id)).toEqual(['z']);
    const custom = keyValueStorage(store, { prefix: 'my-app.' });
    await custom.put('s', entry('q', 1));
    expect(values.has('my-app.s')).toBe(true);
  });

  it('skips what it cannot read: a corrupt index or entry, or an id whose value was never written', async () => {
    const { store, values } = asyncStorage();
    const storage = keyValueStorage(store);
    await storage.put('scope', entry('good', 1));
    await storage.put('scope', entry('bad', 2));
    values.set('chatsdk.outbox.scope.bad', '{not json');
    values.set('chatsdk.outbox.scope', JSON.stringify(['good', 'bad', 'missing', 7]));
    expect(await storage.load('scope')).toEqual([entry('good', 1)]);
    values.set('chatsdk.outbox.scope', 'garbage');
    expect(await storage.load('scope')).toEqual([]);
  });
});
