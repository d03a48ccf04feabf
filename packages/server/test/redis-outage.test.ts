import type { HealthResponse, Message } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '../src/bus/index.js';
import { createRedisPresence } from '../src/presence/index.js';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { canRunPrivateRedis, PrivateRedis } from './helpers/private-redis.js';
import { collect, personalEvents, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { createTestStorage, type TestStorage } from './helpers/stores.js';

// Two processes of one deployment share one store: PostgreSQL when the run has it, else one SQLite file.
const kind = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

describe.runIf(canRunPrivateRedis)(`a Redis outage (two servers on ${kind})`, () => {
  let redis: PrivateRedis;
  let storage: TestStorage;
  let a: TestServer;
  let b: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    storage = await createTestStorage(kind);
    const options = () => ({ storage, bus: createRedisBus(redis.url), presence: createRedisPresence(redis.url) });
    a = await startTestServer(kind, options());
    b = await startTestServer(kind, options());
    chat = await chatApp(a, ['alice', 'bob']);
    await createChannel(a, { apiKey: chat.apiKey }, { type: 'messaging', id: 'outage', members: ['alice', 'bob'] });
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await a?.close();
    await b?.close();
    await storage?.destroy();
    await redis?.destroy();
  });

  const watch = async (t: TestServer, userId: string) => {
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId });
    const client = realtimeClient(t, wsToken);
    clients.push(client);
    const sub = client.newSubscription('outage');
    const seen = collect(sub);
    sub.subscribe();
    client.connect();
    await new Promise<void>((resolve) => sub.once('subscribed', () => resolve()));
    return seen;
  };
  const texts = (items: { data: unknown }[]) =>
    items.map((p) => p.data as { type: string; message?: Message }).filter((e) => e.type === 'message.new').map((e) => e.message?.text);

  it('answers sends at once while Redis is down, delivers to local sockets, and remote ones catch up from the store when it returns', async () => {
    const onA = await watch(a, 'alice');
    const onB = await watch(b, 'bob');
    const sendThroughA = async (text: string) => {
      const started = Date.now();
      const reply = await call(a.baseUrl, '/api/channels/outage/messages', { token: chat.users.alice?.token, body: { text } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      return Date.now() - started;
    };

    await sendThroughA('before');
    await onB.until(1);
    await redis.crash();

    const during = Array.from({ length: 20 }, (_, i) => `during ${i}`);
    const took: number[] = [];
    for (const text of during) took.push(await sendThroughA(text));
    // The write has committed: a bus that is away must not hold up its answer (it did, for about 2 s each).
    expect(Math.max(...took), took.join(' ')).toBeLessThan(500);
    // A socket on the sending process gets every event without the bus.
    await onA.until(1 + during.length);
    expect(texts(onA.items)).toEqual(['before', ...during]);
    // A client that connects and subscribes meanwhile is served too, and gets what follows.
    const late = await watch(a, 'alice');
    await sendThroughA('while away');
    await late.until(1);
    expect(texts(late.items)).toEqual(['while away']);
    during.push('while away');
    const health = await call<HealthResponse>(a.baseUrl, '/health');
    expect(health.status).toBe(503);
    expect(health.body.bus.ok).toBe(false);

    await redis.restart();
    // Nothing new is sent: the other process reads what its socket missed from the store once the bus is back.
    await onB.until(1 + during.length, 15_000);
    expect(texts(onB.items)).toEqual(['before', ...during]);

    await sendThroughA('after');
    await onA.until(2 + during.length);
    await onB.until(2 + during.length);
    expect(texts(onA.items)).toEqual(['before', ...during, 'after']);
    expect(texts(onB.items)).toEqual(['before', ...during, 'after']);
  }, 60_000);

  it('gives a user added to a channel while Redis was away that channel\'s notifications on the other process once it is back', async () => {
    const { wsToken } = await issueTokens(b.baseUrl, chat.apiKey, { userId: 'bob' });
    const client = realtimeClient(b, wsToken);
    clients.push(client);
    const events = personalEvents(client, 'bob');
    client.connect();
    await new Promise<void>((resolve) => client.once('connected', () => resolve()));

    await redis.crash();
    // The member.added for bob is published on A while B cannot hear it.
    await createChannel(a, { token: chat.users.alice?.token }, { type: 'messaging', id: 'while-away', members: ['alice', 'bob'] });
    await redis.restart();
    await expect.poll(async () => (await call(b.baseUrl, '/health')).status, { timeout: 15_000 }).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));

    await call(a.baseUrl, '/api/channels/while-away/messages', { token: chat.users.alice?.token, body: { text: 'are you there?' } });
    const notice = await events.until((e) => e.type === 'notification.message_new' && e.message.channelId === 'while-away', 10_000);
    expect(notice).toMatchObject({ type: 'notification.message_new', message: { text: 'are you there?' } });
  }, 60_000);
});
