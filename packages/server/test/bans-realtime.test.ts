import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Bans on the socket, with the real `centrifuge` client, on one process:
 * an app-banned user cannot connect and their live sockets close (3505, no
 * reconnect); a channel-banned user cannot subscribe (103) and their live
 * subscription ends (2002, no resubscribe); a shadow ban changes nothing the
 * user can see. Across processes: bans-two-processes.test.ts.
 */
describe.each(storeKinds)('bans on the socket on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const ws: Record<string, string> = {};
  const clients: Centrifuge[] = [];
  const ban = (body: Record<string, unknown>) => call(t.baseUrl, '/api/moderation/bans', { apiKey: chat.apiKey, body });
  const lift = (userId: string, channelId?: string) =>
    call(t.baseUrl, `/api/moderation/bans/${userId}${channelId ? `?channelId=${channelId}` : ''}`, { apiKey: chat.apiKey, method: 'DELETE' });

  const connected = async (user: string) => {
    const client = realtimeClient(t, ws[user] ?? '');
    clients.push(client);
    client.connect();
    await next(client, 'connected');
    return client;
  };
  const watching = async (client: Centrifuge, channelId: string) => {
    const sub = client.newSubscription(channelId);
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    return { sub, got };
  };

  beforeAll(async () => {
    t = await startTestServer(kind);
    const users = ['owner', 'ann', 'ben', 'cat', 'dan', 'eve'];
    chat = await chatApp(t, users);
    for (const id of users) ws[id] = (await issueTokens(t.baseUrl, chat.apiKey, { userId: id })).wsToken;
    await createChannel(t, { token: chat.users.owner?.token }, { type: 'messaging', id: 'room', members: users });
    await createChannel(t, { token: chat.users.owner?.token }, { type: 'messaging', id: 'lobby', members: users });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  it('refuses an app-banned user at connect with 3505, and the client does not try again', async () => {
    expect((await ban({ userId: 'ann' })).status).toBe(201);
    const client = realtimeClient(t, ws.ann ?? '');
    clients.push(client);
    let connects = 0;
    client.on('connecting', () => (connects += 1));
    const disconnected = next<{ code: number }>(client, 'disconnected');
    client.connect();
    expect((await disconnected).code).toBe(3505);
    await sleep(400);
    expect(client.state).toBe('disconnected');
    expect(connects).toBe(1);
    // Once lifted, the same token connects.
    expect((await lift('ann')).status).toBe(200);
    await connected('ann');
  });

  it('closes every live socket of a user the moment they are banned from the app, and no one else’s', async () => {
    const first = await connected('ben');
    const second = await connected('ben');
    const bystander = await connected('cat');
    const closed = [next<{ code: number }>(first, 'disconnected'), next<{ code: number }>(second, 'disconnected')];
    expect((await ban({ userId: 'ben', reason: 'abuse' })).status).toBe(201);
    expect((await Promise.all(closed)).map((c) => c.code)).toEqual([3505, 3505]);
    await sleep(300);
    expect([first.state, second.state, bystander.state]).toEqual(['disconnected', 'disconnected', 'connected']);
    expect((await lift('ben')).status).toBe(200);
  });

  it('refuses a channel-banned user a subscription to that channel (103), not to others', async () => {
    expect((await ban({ userId: 'dan', channelId: 'room' })).status).toBe(201);
    const client = await connected('dan');
    const sub = client.newSubscription('room');
    const unsubscribed = next<{ code: number }>(sub, 'unsubscribed');
    sub.subscribe();
    expect((await unsubscribed).code).toBe(103);
    await watching(client, 'lobby');
    expect((await lift('dan', 'room')).status).toBe(200);
    await watching(await connected('dan'), 'room');
  });

  it('ends a live subscription the moment its user is banned from the channel (2002); the socket and its other channels stay', async () => {
    const client = await connected('eve');
    const room = await watching(client, 'room');
    const lobby = await watching(client, 'lobby');
    const ended = next<{ code: number }>(room.sub, 'unsubscribed');
    expect((await ban({ userId: 'eve', channelId: 'room' })).status).toBe(201);
    expect((await ended).code).toBe(2002);
    await send(t, { token: chat.users.owner?.token }, 'room', { text: 'after the ban' });
    const message = await send(t, { token: chat.users.owner?.token }, 'lobby', { text: 'still for eve' });
    await lobby.got.until(1);
    expect(lobby.got.items.map((p) => (p.data as { message?: { id: string } }).message?.id)).toContain(message.id);
    await sleep(200);
    expect(room.got.items.map((p) => (p.data as { message?: { text: string } }).message?.text)).not.toContain('after the ban');
    expect(client.state).toBe('connected');
    expect(room.sub.state).toBe('unsubscribed');
    expect((await lift('eve', 'room')).status).toBe(200);
  });

  it('changes nothing on the socket for a shadow ban: the user connects, stays subscribed and receives', async () => {
    const live = await connected('cat');
    const room = await watching(live, 'room');
    let ended = false;
    live.on('disconnected', () => (ended = true));
    room.sub.on('unsubscribed', () => (ended = true));
    expect((await ban({ userId: 'cat', shadow: true })).status).toBe(201);
    expect((await ban({ userId: 'cat', channelId: 'room', shadow: true })).status).toBe(201);
    const message = await send(t, { token: chat.users.owner?.token }, 'room', { text: 'hello cat' });
    const [publication] = await room.got.until(1);
    expect((publication?.data as { message: { id: string } }).message.id).toBe(message.id);
    await watching(await connected('cat'), 'room');
    expect(ended).toBe(false);
    expect((await lift('cat')).status).toBe(200);
    expect((await lift('cat', 'room')).status).toBe(200);
  });
});
