import type { MessageNewEvent } from '@chatsdk/protocol';
import type { Centrifuge, Subscription } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getApp } from '../src/domain/auth/apps.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { collect, next } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { clientOn, eventOf, offsetOf, TRANSPORTS, type TransportName } from './helpers/transports.js';

const texts = (items: Parameters<typeof eventOf>[0][]) => items.map((p) => eventOf<MessageNewEvent>(p).message.text);

/** Each transport and framing the real client has, against one server: the whole life of a session. */
describe.each(TRANSPORTS)('the centrifuge client over %s', (name: TransportName) => {
  let t: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];
  const ana = () => ({ token: chat.users.ana?.token ?? '' });

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    chat = await chatApp(t, ['ana', 'ben', 'cid']);
    await createChannel(t, ana(), { type: 'messaging', id: 'room', members: ['ben', 'cid'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  /** A client of `userId` subscribed to the room; with `wsToken`, connected with that token. */
  const open = async (userId: string, options: { getToken?: () => Promise<string>; wsToken?: string } = {}) => {
    const wsToken = options.wsToken ?? (await issueTokens(t.baseUrl, chat.apiKey, { userId })).wsToken;
    const client = clientOn(name, t, wsToken, options.getToken ? { getToken: options.getToken } : {});
    clients.push(client);
    const sub = client.newSubscription('room');
    const got = collect(sub);
    sub.subscribe();
    client.connect();
    await next(sub, 'subscribed');
    return { client, sub, got };
  };

  it('connects, subscribes and receives live publications in order', async () => {
    const { got } = await open('ben');
    for (let i = 0; i < 5; i++) await send(t, ana(), 'room', { text: `live ${i}` });
    expect(texts(await got.until(5))).toEqual(['live 0', 'live 1', 'live 2', 'live 3', 'live 4']);
  });

  // centrifuge-js 5.7 cannot read a Protobuf Reply that reaches it split over two reads of an HTTP stream
  // (its stream parser throws and closes the transport), so a recovery that large cannot travel on that one
  // combination; over it, a recovery that fits in a read is tested (see README, Realtime transports).
  const missed = name === 'http_stream-protobuf' ? 20 : 300;

  it(`after a server-side disconnect (3011) recovers the ${missed} events it missed, in order, none twice`, async () => {
    // The reconnect's connect is refused as expired (the tokens were revoked); the client asks getToken,
    // which this test answers only once 300 messages have gone by.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const getToken = async () => {
      await released;
      return (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ben' })).wsToken;
    };
    const { client, sub, got } = await open('ben', { getToken });
    await send(t, ana(), 'room', { text: 'before' });
    await got.until(1);
    const dropped = next<{ code: number }>(client, 'connecting', 5000);
    expect((await call(t.baseUrl, '/api/users/ben/revoke-tokens', { method: 'POST', apiKey: chat.apiKey })).status).toBe(200);
    expect((await dropped).code).toBe(3011);
    for (let i = 0; i < missed; i++) await send(t, ana(), 'room', { text: `missed ${i}` });
    const resubscribed = next<{ recovered: boolean; wasRecovering: boolean }>(sub, 'subscribed', 15_000);
    release();
    expect(await resubscribed).toMatchObject({ wasRecovering: true, recovered: true });
    await send(t, ana(), 'room', { text: 'after' });
    const items = await got.until(missed + 2, 15_000);
    expect(texts(items)).toEqual(['before', ...Array.from({ length: missed }, (_, i) => `missed ${i}`), 'after']);
    const offsets = items.map(offsetOf);
    offsets.slice(1).forEach((offset, i) => expect(offset).toBe((offsets[i] ?? 0) + 1));
  }, 60_000);

  it('refreshes its token on a live connection and keeps receiving', async () => {
    let refreshed = 0;
    const getToken = async () => {
      refreshed += 1;
      return (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ben' })).wsToken;
    };
    // A token of 2 s: the connect result's ttl makes the client ask for a new one and send `refresh`.
    const app = await getApp(t.server.context.store, chat.appId);
    if (!app) throw new Error('no app');
    const { client, got } = await open('ben', { getToken, wsToken: t.server.context.tokens.issue(app, 'ben', 2).wsToken });
    await expect.poll(() => refreshed, { timeout: 10_000 }).toBeGreaterThan(0);
    // Past the old token's expiry: the connection would have ended (3005) without the refresh.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(client.state).toBe('connected');
    await send(t, ana(), 'room', { text: 'after refresh' });
    expect(texts(await got.until(1))).toEqual(['after refresh']);
  }, 30_000);

  it('is unsubscribed by the server (2000) when removed from the channel', async () => {
    const { sub } = await open('cid');
    const unsubscribed = next<{ code: number }>(sub as Subscription, 'unsubscribed', 5000);
    expect((await call(t.baseUrl, '/api/channels/room/members/cid', { ...ana(), method: 'DELETE' })).status).toBe(204);
    expect((await unsubscribed).code).toBe(2000);
    await call(t.baseUrl, '/api/channels/room/members', { ...ana(), body: { userIds: ['cid'] } });
  });

  it('stops for good on a terminal disconnect: a deleted user reconnects into 3500', async () => {
    await issueTokens(t.baseUrl, chat.apiKey, { userId: 'dee' });
    await call(t.baseUrl, '/api/channels/room/members', { ...ana(), body: { userIds: ['dee'] } });
    const { client } = await open('dee');
    const stopped = next<{ code: number }>(client, 'disconnected', 10_000);
    expect((await call(t.baseUrl, '/api/users/dee', { method: 'DELETE', apiKey: chat.apiKey })).status).toBeLessThan(300);
    expect((await stopped).code).toBe(3500);
  }, 20_000);
});
