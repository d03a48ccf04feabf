import type { CreateTokenResponse, MessageNewEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('realtime gateway on %s, with the real centrifuge client', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const ws: Record<string, CreateTokenResponse> = {};
  const clients: Centrifuge[] = [];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const open = (token: string, options?: { getToken?: () => Promise<string> }) => {
    const client = realtimeClient(t, token, options);
    clients.push(client);
    return client;
  };

  /** A connected client of `user`, subscribed to the room, collecting what it receives. */
  const watchRoom = async (user: string) => {
    const client = open(ws[user]?.wsToken ?? '');
    client.connect();
    const sub = client.newSubscription('room');
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    return { client, sub, got };
  };

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['ana', 'ben', 'cid']);
    for (const id of ['ana', 'ben', 'cid']) ws[id] = await issueTokens(t.baseUrl, chat.apiKey, { userId: id });
    await createChannel(t, u('ana'), { type: 'messaging', id: 'room', members: ['ben'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  it('connects with a wsToken and delivers a message sent through REST by another user within 100 ms', async () => {
    const client = open(ws.ben?.wsToken ?? '');
    client.connect();
    await next(client, 'connected');
    const sub = client.newSubscription('room');
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    const message = await send(t, u('ana'), 'room', { text: 'hello ben' });
    const [publication] = await got.until(1);
    const event = publication?.data as MessageNewEvent;
    expect(event).toMatchObject({ type: 'message.new', channelId: 'room', message: { id: message.id, text: 'hello ben', userId: 'ana' } });
    expect(publication?.offset).toBe(event.offset);

    // From the start of the REST request to the client handing the event over: within 100 ms on the
    // loopback. The median of several sends, so that one pause of a shared CI machine does not decide.
    const latencies: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const startedAt = performance.now();
      await Promise.all([send(t, u('ana'), 'room', { text: `timed ${i}` }), got.until(1 + i)]);
      latencies.push(performance.now() - startedAt);
    }
    latencies.sort((x, y) => x - y);
    expect(latencies[3], `send-to-receive, ms: ${latencies.map((l) => l.toFixed(1)).join(', ')}`).toBeLessThan(100);
    expect(latencies.at(-1)).toBeLessThan(1000);
  });

  it('refuses the REST token on the socket', async () => {
    const client = open(ws.ben?.token ?? '');
    const disconnected = next<{ code: number }>(client, 'disconnected');
    client.connect();
    expect((await disconnected).code).toBe(3500);
  });

  it('refuses a subscription to a channel the user may not read', async () => {
    const client = open(ws.cid?.wsToken ?? '');
    client.connect();
    const sub = client.newSubscription('room');
    const unsubscribed = next<{ code: number }>(sub, 'unsubscribed');
    sub.subscribe();
    expect((await unsubscribed).code).toBe(103);
  });

  it('unsubscribes a member the moment they are removed', async () => {
    await call(t.baseUrl, '/api/channels/room/members', { ...u('ana'), body: { userIds: ['cid'] } });
    const client = open(ws.cid?.wsToken ?? '');
    client.connect();
    const sub = client.newSubscription('room');
    sub.subscribe();
    await next(sub, 'subscribed');
    const unsubscribed = next<{ code: number }>(sub, 'unsubscribed');
    expect((await call(t.baseUrl, '/api/channels/room/members/cid', { ...u('ana'), method: 'DELETE' })).status).toBe(204);
    expect((await unsubscribed).code).toBe(2000);
  });

  it('recovers 300 events missed while offline from the store, in order, none twice', async () => {
    const { client, sub, got } = await watchRoom('ben');
    await send(t, u('ana'), 'room', { text: 'before' });
    await got.until(1);
    client.disconnect();
    for (let i = 0; i < 300; i++) await send(t, u('ana'), 'room', { text: `missed ${i}` });
    const resubscribed = next<{ recovered: boolean; wasRecovering: boolean }>(sub, 'subscribed');
    client.connect();
    // Sends racing the resubscribe land either in the recovered batch or live, never in both or neither.
    const racing = Promise.all(Array.from({ length: 30 }, (_, i) => send(t, u('ana'), 'room', { text: `racing ${i}` })));
    const context = await resubscribed;
    expect(context).toMatchObject({ wasRecovering: true, recovered: true });
    await racing;
    await send(t, u('ana'), 'room', { text: 'after' });
    const items = await got.until(332);
    const texts = items.map((p) => (p.data as MessageNewEvent).message.text);
    expect(texts.slice(0, 301)).toEqual(['before', ...Array.from({ length: 300 }, (_, i) => `missed ${i}`)]);
    expect(texts.slice(301, 331).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `racing ${i}`).sort());
    expect(texts.at(-1)).toBe('after');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(items).toHaveLength(332);
    const offsets = items.map((p) => p.offset ?? 0);
    offsets.slice(1).forEach((offset, i) => expect(offset).toBe((offsets[i] ?? 0) + 1));
  });

  it('keeps order under concurrent sends: every offset once, ascending', async () => {
    const { client, sub, got } = await watchRoom('ben');
    await Promise.all(Array.from({ length: 40 }, (_, i) => send(t, u(i % 2 ? 'ana' : 'ben'), 'room', { text: `burst ${i}` })));
    const items = await got.until(40);
    const offsets = items.map((p) => p.offset ?? 0);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(40);
  });
});
