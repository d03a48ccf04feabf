import type { MessageNewEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** Token lifetimes, revocation and recovery limits on a live connection. */
describe.each(storeKinds)('realtime sessions on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const freshWsToken = async (userId: string) => (await issueTokens(t.baseUrl, chat.apiKey, { userId })).wsToken;
  const open = (token: string, getToken?: () => Promise<string>) => {
    const client = realtimeClient(t, token, getToken ? { getToken } : {});
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    // A small replay limit, so the unrecoverable case needs few messages.
    t = await startTestServer(kind, { realtime: { recoveryLimit: 5 } });
    chat = await chatApp(t, ['eve', 'fay']);
    await createChannel(t, u('eve'), { type: 'messaging', id: 'live', members: ['fay'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  it('survives its token running out: the client refreshes on the live connection', async () => {
    const { app } = { app: (await t.server.context.store.db.selectFrom('apps').selectAll().where('id', '=', chat.appId).executeTakeFirstOrThrow()) };
    // A two-second wsToken, signed as POST /tokens signs them.
    const short = t.server.context.tokens.issue({ id: app.id, jwtSecret: app.jwt_secret }, 'fay', 2).wsToken;
    let refreshes = 0;
    const client = open(short, async () => {
      refreshes++;
      return freshWsToken('fay');
    });
    client.connect();
    await next(client, 'connected');
    const disconnects: number[] = [];
    client.on('disconnected', (ctx) => disconnects.push(ctx.code));
    client.on('connecting', (ctx) => disconnects.push(ctx.code));
    const sub = client.newSubscription('live');
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect(client.state).toBe('connected');
    expect(disconnects).toEqual([]);
    await send(t, u('eve'), 'live', { text: 'after the refresh' });
    expect(((await got.until(1))[0]?.data as MessageNewEvent).message.text).toBe('after the refresh');
  });

  it('ends a revoked user’s connection within moments; the client comes back with a fresh token', async () => {
    let refreshes = 0;
    const client = open(await freshWsToken('fay'), async () => {
      refreshes++;
      return freshWsToken('fay');
    });
    client.connect();
    await next(client, 'connected');
    // With a subscription, the client's reconnect sends its resubscribe in the same frame as the refused
    // connect: those commands must not end the connection before the client can ask for a new token.
    const sub = client.newSubscription('live');
    sub.subscribe();
    await next(sub, 'subscribed');
    const dropped = next<{ code: number }>(client, 'connecting', 5000);
    const revokedAt = Date.now();
    expect((await call(t.baseUrl, '/api/users/fay/revoke-tokens', { apiKey: chat.apiKey, method: 'POST' })).status).toBe(200);
    expect((await dropped).code).toBe(3011);
    expect(Date.now() - revokedAt).toBeLessThan(5000);
    const back = next(sub, 'subscribed', 5000);
    await next(client, 'connected', 5000);
    await back;
    expect(refreshes).toBeGreaterThanOrEqual(1);
  });

  it('refuses a deleted user for good', async () => {
    await issueTokens(t.baseUrl, chat.apiKey, { userId: 'gone' });
    const client = open(await freshWsToken('gone'));
    client.connect();
    await next(client, 'connected');
    const disconnected = next<{ code: number }>(client, 'disconnected', 8000);
    expect((await call(t.baseUrl, '/api/users/gone', { apiKey: chat.apiKey, method: 'DELETE' })).status).toBe(204);
    // Dropped live, then refused at reconnect: the client stops instead of looping.
    expect((await disconnected).code).toBe(3500);
  });

  it('answers recovered: false past the replay limit, and the client can reload', async () => {
    const client = open(await freshWsToken('eve'), () => freshWsToken('eve'));
    client.connect();
    const sub = client.newSubscription('live');
    sub.subscribe();
    await next(sub, 'subscribed');
    client.disconnect();
    // fay's REST token died with the revocation above: the backend sends on her behalf.
    for (let i = 0; i < 6; i++) await send(t, { apiKey: chat.apiKey }, 'live', { text: `gap ${i}`, userId: 'fay' });
    const resubscribed = next<{ recovered: boolean; wasRecovering: boolean }>(sub, 'subscribed');
    client.connect();
    expect(await resubscribed).toMatchObject({ wasRecovering: true, recovered: false });
  });
});

describe.each(storeKinds)('realtime history on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let client: Centrifuge;

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['hal', 'ivy']);
    await createChannel(t, { token: chat.users.hal?.token ?? '' }, { type: 'messaging', id: 'log', members: ['hal'] });
    for (let i = 1; i <= 8; i++) await send(t, { token: chat.users.hal?.token ?? '' }, 'log', { text: `m${i}` });
    client = realtimeClient(t, (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'hal' })).wsToken);
    client.connect();
    await next(client, 'connected');
  });
  afterAll(async () => {
    client.disconnect();
    await t.close();
  });

  const texts = (pubs: Array<{ data: unknown }>) => pubs.map((p) => (p.data as MessageNewEvent).message.text);

  it('answers the newest events, events after a position, and backwards, from the store', async () => {
    // Offset 1 is hal joining at creation; message mN is offset N + 1.
    const position = await client.history('log', { limit: 0 });
    expect(position).toMatchObject({ offset: 9, publications: [] });
    expect(texts((await client.history('log', { limit: 3 })).publications)).toEqual(['m6', 'm7', 'm8']);
    const since = await client.history('log', { limit: 2, since: { offset: 3, epoch: position.epoch } });
    expect(texts(since.publications)).toEqual(['m3', 'm4']);
    expect(since.publications.map((p) => p.offset)).toEqual([4, 5]);
    expect(texts((await client.history('log', { limit: 2, since: { offset: 7, epoch: position.epoch }, reverse: true })).publications)).toEqual(['m5', 'm4']);
    await expect(client.history('log', { limit: 2, since: { offset: 3, epoch: 'other' } })).rejects.toMatchObject({ code: 112 });
  });

  it('is for readers only', async () => {
    const outsider = realtimeClient(t, (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ivy' })).wsToken);
    outsider.connect();
    await next(outsider, 'connected');
    await expect(outsider.history('log', { limit: 1 })).rejects.toMatchObject({ code: 103 });
    outsider.disconnect();
  });
});
