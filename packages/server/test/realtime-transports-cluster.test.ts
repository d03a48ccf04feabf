import type { MessageNewEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '../src/bus/index.js';
import { createRedisPresence } from '../src/presence/index.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { collect, next } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { createTestStorage, type TestStorage } from './helpers/stores.js';
import { clientOn, eventOf, offsetOf, type TransportName } from './helpers/transports.js';

const redisUrl = process.env.REDIS_URL ?? '';
const CLUSTERED: TransportName[] = ['websocket-protobuf', 'http_stream', 'http_stream-protobuf', 'sse'];
const texts = (items: Parameters<typeof eventOf>[0][]) => items.map((p) => eventOf<MessageNewEvent>(p).message.text);

/**
 * Two processes of one deployment on one PostgreSQL and one Redis: the stream
 * is held by B while the client's emulation requests reach A (as a load
 * balancer may send them), and messages are sent through A.
 */
describe.runIf(process.env.DATABASE_URL && redisUrl)('transports across two processes on PostgreSQL and Redis', () => {
  let storage: TestStorage;
  let a: TestServer;
  let b: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];
  const ana = () => ({ token: chat.users.ana?.token ?? '' });

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    const options = () => ({ storage, bus: createRedisBus(redisUrl), presence: createRedisPresence(redisUrl) });
    a = await startTestServer('postgres', options());
    b = await startTestServer('postgres', options());
    chat = await chatApp(a, ['ana', 'ben']);
    await createChannel(a, ana(), { type: 'messaging', id: 'room', members: ['ben'] });
  }, 60_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it.each(CLUSTERED)('%s: subscribes through the other process, gets live events, and recovers after a forced disconnect', async (name) => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const getToken = async () => {
      await released;
      return (await issueTokens(a.baseUrl, chat.apiKey, { userId: 'ben' })).wsToken;
    };
    const { wsToken } = await issueTokens(a.baseUrl, chat.apiKey, { userId: 'ben' });
    const client = clientOn(name, { baseUrl: b.baseUrl, emulationBaseUrl: a.baseUrl }, wsToken, { getToken });
    clients.push(client);
    const sub = client.newSubscription('room');
    const got = collect(sub);
    sub.subscribe();
    client.connect();
    await next(sub, 'subscribed', 10_000);

    await send(a, ana(), 'room', { text: `${name} live` });
    expect(texts(await got.until(1))).toEqual([`${name} live`]);

    const dropped = next<{ code: number }>(client, 'connecting', 5000);
    expect((await call(a.baseUrl, '/api/users/ben/revoke-tokens', { method: 'POST', apiKey: chat.apiKey })).status).toBe(200);
    expect((await dropped).code).toBe(3011);
    for (let i = 0; i < 20; i++) await send(a, ana(), 'room', { text: `${name} missed ${i}` });
    const resubscribed = next<{ recovered: boolean }>(sub, 'subscribed', 15_000);
    release();
    expect(await resubscribed).toMatchObject({ recovered: true });
    await send(a, ana(), 'room', { text: `${name} after` });
    const items = await got.until(22, 15_000);
    expect(texts(items)).toEqual([`${name} live`, ...Array.from({ length: 20 }, (_, i) => `${name} missed ${i}`), `${name} after`]);
    const offsets = items.map(offsetOf);
    offsets.slice(1).forEach((offset, i) => expect(offset).toBe((offsets[i] ?? 0) + 1));
  }, 60_000);
});
