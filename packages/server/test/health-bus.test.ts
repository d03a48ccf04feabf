import type { HealthResponse } from '@chatsdk/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bus, createMemoryBus, createRedisBus } from '../src/bus/index.js';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const redisUrl = process.env.REDIS_URL;

function nextMessage(bus: Bus, topic: string): Promise<{ message: Promise<string>; ready: Promise<() => Promise<void>> }> {
  let resolve: (message: string) => void = () => {};
  const message = new Promise<string>((r) => (resolve = r));
  const ready = bus.subscribe(topic, resolve);
  return Promise.resolve({ message, ready });
}

describe.each(storeKinds)('GET /health on %s', (kind) => {
  const servers: TestServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  it('reports the store and the memory bus', async () => {
    const t = await startTestServer(kind);
    servers.push(t);
    const reply = await call<HealthResponse>(t.baseUrl, '/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'ok', store: { kind, ok: true }, bus: { kind: 'memory', ok: true } });
  });

  it.runIf(redisUrl)('reports a live Redis bus, and 503 when Redis is unreachable', async () => {
    const live = await startTestServer(kind, { bus: createRedisBus(redisUrl ?? '') });
    servers.push(live);
    const ok = await call<HealthResponse>(live.baseUrl, '/health');
    expect(ok.body).toMatchObject({ status: 'ok', bus: { kind: 'redis', ok: true } });

    // Port 1 on loopback: nothing listens there, so the bus cannot connect.
    const dead = await startTestServer(kind, { bus: createRedisBus('redis://127.0.0.1:1') });
    servers.push(dead);
    const degraded = await call<HealthResponse>(dead.baseUrl, '/health');
    expect(degraded.status).toBe(503);
    expect(degraded.body).toMatchObject({ status: 'degraded', store: { ok: true }, bus: { kind: 'redis', ok: false } });
  });
});

describe('buses', () => {
  it('the memory bus delivers to subscribers of the topic only, until unsubscribed', async () => {
    const bus = createMemoryBus();
    const got: string[] = [];
    const stop = await bus.subscribe('a', (m) => got.push(`a:${m}`));
    await bus.subscribe('b', (m) => got.push(`b:${m}`));
    await bus.publish('a', '1');
    await stop();
    await bus.publish('a', '2');
    await bus.publish('b', '3');
    expect(got).toEqual(['a:1', 'b:3']);
    await bus.close();
  });

  it.runIf(redisUrl)('the Redis bus carries a message from one connection pair to another', async () => {
    const topic = `test-${Math.random().toString(36).slice(2)}`;
    const sender = createRedisBus(redisUrl ?? '');
    const receiver = createRedisBus(redisUrl ?? '');
    try {
      const { message, ready } = await nextMessage(receiver, topic);
      const stop = await ready;
      await sender.publish(topic, 'hello across processes');
      expect(await message).toBe('hello across processes');
      await stop();
      const after: string[] = [];
      await receiver.subscribe(`${topic}-other`, (m) => after.push(m));
      await sender.publish(topic, 'not delivered');
      await sender.publish(`${topic}-other`, 'delivered');
      await new Promise((r) => setTimeout(r, 100));
      expect(after).toEqual(['delivered']);
    } finally {
      await sender.close();
      await receiver.close();
    }
  });
});
