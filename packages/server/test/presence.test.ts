import type { CreateTokenResponse, PresenceResponse, UserEvent, UserOfflineEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '../src/bus/index.js';
import { createRedisPresence } from '../src/presence/index.js';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { connectWithPersonal, next } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** How long a user stays online after their last connection closes, in these tests. */
const OFFLINE_DELAY_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const presenceOf = (userId: string) => (e: UserEvent) => (e.type === 'user.online' || e.type === 'user.offline') && e.userId === userId;

describe.each(storeKinds)('presence on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const ws: Record<string, CreateTokenResponse> = {};
  const clients: Centrifuge[] = [];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  const connect = (user: string) => connectWithPersonal(t, ws[user]?.wsToken ?? '', user, clients);
  const presence = async (ids: string[]) => {
    const reply = await call<PresenceResponse>(t.baseUrl, `/api/users/presence?ids=${ids.join(',')}`, u('ben'));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return Object.fromEntries(reply.body.users.map((p) => [p.userId, p]));
  };

  beforeAll(async () => {
    t = await startTestServer(kind, { realtime: { offlineDelayMs: OFFLINE_DELAY_MS, presenceMemberLimit: 3 } });
    const everyone = ['ana', 'ben', 'cid', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jon'];
    chat = await chatApp(t, everyone);
    for (const id of everyone) ws[id] = await issueTokens(t.baseUrl, chat.apiKey, { userId: id });
    await createChannel(t, u('ana'), { type: 'messaging', id: 'room', members: ['ben'] });
    await createChannel(t, u('eve'), { type: 'messaging', id: 'lobby', members: ['fay', 'ben'] });
    // Past the limit of 3 members: no presence events.
    await createChannel(t, u('gus'), { type: 'team', id: 'crowd', members: ['hal', 'ivy', 'jon'] });
    await createChannel(t, u('hal'), { type: 'messaging', distinct: true, members: ['ivy'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  it("tells the members of a user's channels when they come online and go offline, and nobody else", async () => {
    const ben = await connect('ben');
    const cid = await connect('cid');
    expect((await presence(['ana', 'ghost'])).ana).toMatchObject({ online: false, lastActiveAt: null });

    const ana = await connect('ana');
    await ben.personal.until((e) => e.type === 'user.online' && e.userId === 'ana');
    const online = await presence(['ana', 'ben', 'ghost']);
    expect(Object.keys(online).sort()).toEqual(['ana', 'ben']);
    expect(online.ana?.online).toBe(true);
    // lastActiveAt is written in batches, within a second.
    await expect.poll(async () => (await presence(['ana'])).ana?.lastActiveAt, { timeout: 3000 }).not.toBeNull();

    const closedAt = Date.now();
    ana.client.disconnect();
    const offline = (await ben.personal.until((e) => e.type === 'user.offline' && e.userId === 'ana')) as UserOfflineEvent;
    // Not before the debounce: a reconnect in that time would not have flapped.
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(OFFLINE_DELAY_MS - 50);
    expect(Date.parse(offline.lastActiveAt)).toBeGreaterThanOrEqual(closedAt - 1000);
    expect((await presence(['ana'])).ana?.online).toBe(false);
    await expect.poll(async () => (await presence(['ana'])).ana?.lastActiveAt, { timeout: 3000 }).toBe(offline.lastActiveAt);
    // cid shares no channel with ana.
    expect(cid.personal.items.filter(presenceOf('ana'))).toEqual([]);
  });

  it('does not flap when a user reconnects within the debounce, nor while another of their connections lives', async () => {
    const ben = await connect('ben');
    const eve = await connect('eve');
    await ben.personal.until(presenceOf('eve'));
    const first = ben.personal.items.filter(presenceOf('eve')).length;

    eve.client.disconnect();
    await sleep(OFFLINE_DELAY_MS / 3);
    const back = await connect('eve');
    const second = await connect('eve');
    back.client.disconnect();
    await sleep(OFFLINE_DELAY_MS * 3);
    expect(ben.personal.items.filter(presenceOf('eve'))).toHaveLength(first);
    expect((await presence(['eve'])).eve?.online).toBe(true);

    second.client.disconnect();
    await ben.personal.until((e) => e.type === 'user.offline' && e.userId === 'eve');
  });

  it('keeps presence events out of channels with more members than the limit', async () => {
    const hal = await connect('hal');
    await connect('gus');
    // ivy shares the crowd and a DM with hal: her arrival comes after gus's would have.
    await connect('ivy');
    await hal.personal.until((e) => e.type === 'user.online' && e.userId === 'ivy');
    expect(hal.personal.items.filter(presenceOf('gus'))).toEqual([]);
  });

  it('answers channel presence and presence_stats with the clients watching the channel', async () => {
    const ben = await connect('ben');
    const eve = await connect('eve');
    const fay = await connect('fay');
    for (const client of [ben.client, eve.client]) {
      const sub = client.newSubscription('lobby');
      sub.subscribe();
      await next(sub, 'subscribed');
    }
    const watching = await fay.client.presence('lobby');
    expect(Object.values(watching.clients).map((c) => c.user).sort()).toEqual(['ben', 'eve']);
    expect(await fay.client.presenceStats('lobby')).toEqual({ numClients: 2, numUsers: 2 });

    ben.client.getSubscription('lobby')?.unsubscribe();
    await expect.poll(async () => (await fay.client.presenceStats('lobby')).numClients).toBe(1);
    // A channel the caller may not read has no presence for them.
    await expect(fay.client.presence('room')).rejects.toMatchObject({ code: 103 });
  });
});

describe.runIf(process.env.REDIS_URL)('presence shared by two processes through Redis', () => {
  const redisUrl = process.env.REDIS_URL ?? '';
  let a: TestServer;
  let b: TestServer;
  let chat: ChatApp;
  const ws: Record<string, CreateTokenResponse> = {};
  const clients: Centrifuge[] = [];

  const connectTo = (server: TestServer, user: string) => connectWithPersonal(server, ws[user]?.wsToken ?? '', user, clients);

  beforeAll(async () => {
    const options = () => ({ bus: createRedisBus(redisUrl), presence: createRedisPresence(redisUrl), realtime: { offlineDelayMs: OFFLINE_DELAY_MS } });
    a = await startTestServer(storeKinds.at(-1) ?? 'sqlite', options());
    b = await startTestServer(a.storage.kind, { ...options(), storage: a.storage });
    chat = await chatApp(a, ['ana', 'ben']);
    for (const id of ['ana', 'ben']) ws[id] = await issueTokens(a.baseUrl, chat.apiKey, { userId: id });
    await createChannel(a, { token: chat.users.ana?.token ?? '' }, { type: 'messaging', id: 'room', members: ['ben'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a user online on one process is online for the other; personal events cross processes', async () => {
    const ben = await connectTo(a, 'ben');
    const ana = await connectTo(b, 'ana');
    await ben.personal.until((e) => e.type === 'user.online' && e.userId === 'ana');
    const seen = await call<PresenceResponse>(a.baseUrl, '/api/users/presence?ids=ana', { token: chat.users.ben?.token ?? '' });
    expect(seen.body.users).toEqual([expect.objectContaining({ userId: 'ana', online: true })]);

    // A message sent through B reaches ben's personal stream on A.
    const sent = await call(b.baseUrl, '/api/channels/room/messages', { token: chat.users.ana?.token ?? '', body: { text: 'across' } });
    expect(sent.status).toBe(201);
    await ben.personal.until((e) => e.type === 'notification.message_new' && e.message.text === 'across');

    // Watchers on both processes are one channel's presence.
    for (const client of [ben.client, ana.client]) {
      const sub = client.newSubscription('room');
      sub.subscribe();
      await next(sub, 'subscribed');
    }
    await expect.poll(async () => (await ben.client.presenceStats('room')).numUsers).toBe(2);

    ana.client.disconnect();
    await ben.personal.until((e) => e.type === 'user.offline' && e.userId === 'ana');
    const gone = await call<PresenceResponse>(b.baseUrl, '/api/users/presence?ids=ana', { token: chat.users.ben?.token ?? '' });
    expect(gone.body.users[0]?.online).toBe(false);
  });

  it('takes a stopping process out of presence at once; a crashed one lapses (next test)', async () => {
    const c = await startTestServer(a.storage.kind, {
      bus: createRedisBus(redisUrl),
      presence: createRedisPresence(redisUrl),
      realtime: { offlineDelayMs: OFFLINE_DELAY_MS },
      storage: a.storage,
    });
    const online = async () => {
      const reply = await call<PresenceResponse>(a.baseUrl, '/api/users/presence?ids=ana', { token: chat.users.ben?.token ?? '' });
      return reply.body.users[0]?.online;
    };
    try {
      await connectTo(c, 'ana');
      expect(await online()).toBe(true);
    } finally {
      await c.close();
    }
    expect(await online()).toBe(false);
  });

  it("lets a dead process's entries lapse: an entry past its expiry is not presence", async () => {
    const prefix = `chatsdk:test:${process.pid}:${Date.now()}:`;
    const store = createRedisPresence(redisUrl, prefix);
    const raw = new Redis(redisUrl);
    try {
      expect(await store.add('set', 'live', 'x')).toBe(0);
      // A process that died a minute ago left its entry behind.
      await raw.hset(`${prefix}set`, 'dead', `${Date.now() - 60_000}|y`);
      expect([...(await store.list('set')).keys()]).toEqual(['live']);
      expect(await store.add('set', 'other', 'z')).toBe(1);
      expect(await store.remove('set', 'live')).toBe(1);
      expect(await store.remove('set', 'other')).toBe(0);
      expect(await store.nonEmpty(['set'])).toEqual([false]);
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});
