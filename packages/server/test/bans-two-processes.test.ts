import type { Centrifuge, Subscription } from 'centrifuge';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { assertCliBuilt, CliRunner, parseJsonOutput, type StartedCli } from './helpers/cli.js';
import { call, issueTokens } from './helpers/http.js';
import { next, realtimeClientAt } from './helpers/realtime.js';
import { createTestStorage, type TestStorage } from './helpers/stores.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two real `chatsdk start` processes on one PostgreSQL schema and one Redis:
 * a ban made through either ends what it forbids on both at once. An app
 * ban closes the user's sockets on both (3505); a channel ban ends their
 * subscriptions to that channel on both (2002) and leaves the rest; and each
 * process refuses them afterwards from the store (connect, subscribe).
 */
describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)('bans across two processes on PostgreSQL and Redis', () => {
  let storage: TestStorage | undefined;
  let a: StartedCli;
  let b: StartedCli;
  let apiKey = '';
  const ws: Record<string, string> = {};
  const clients: Centrifuge[] = [];
  const cli = new CliRunner(() => ({
    ...process.env,
    ...storage?.env,
    REDIS_URL: process.env.REDIS_URL ?? '',
    CHATSDK_SECRET_KEY: '',
    LOG_LEVEL: 'warn',
  }));

  const connectTo = async (server: StartedCli, user: string) => {
    const client = realtimeClientAt(server.baseUrl, ws[user] ?? '');
    clients.push(client);
    client.connect();
    await next(client, 'connected');
    return client;
  };
  const subscribed = async (client: Centrifuge, channelId: string): Promise<Subscription> => {
    const sub = client.newSubscription(channelId);
    sub.subscribe();
    await next(sub, 'subscribed');
    return sub;
  };

  beforeAll(async () => {
    assertCliBuilt();
    storage = await createTestStorage('postgres');
    const created = await cli.run(['apps', 'create', 'Bans', '--json']);
    expect(created.code, created.stderr).toBe(0);
    apiKey = parseJsonOutput<{ apiKey: string }>(created.stdout).apiKey;
    [a, b] = await Promise.all([cli.start(), cli.start()]);
    for (const id of ['owner', 'ann', 'ben']) ws[id] = (await issueTokens(a.baseUrl, apiKey, { userId: id })).wsToken;
    const owner = (await issueTokens(a.baseUrl, apiKey, { userId: 'owner' })).token;
    for (const id of ['room', 'lobby']) {
      expect((await call(a.baseUrl, '/api/channels', { token: owner, body: { type: 'messaging', id, members: ['ann', 'ben'] } })).status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await cli.killAll();
    await storage?.destroy();
  });

  it('closes an app-banned user’s sockets on both processes at once, and both refuse their next connect', async () => {
    onTestFailed(() => console.error(`--- A stderr\n${a?.stderr()}\n--- B stderr\n${b?.stderr()}`));
    const onA = await connectTo(a, 'ann');
    const onB = await connectTo(b, 'ann');
    await subscribed(onB, 'room');
    const closed = [next<{ code: number }>(onA, 'disconnected'), next<{ code: number }>(onB, 'disconnected')];
    const startedAt = Date.now();
    // Through process A: B learns it over Redis.
    expect((await call(a.baseUrl, '/api/moderation/bans', { apiKey, body: { userId: 'ann', reason: 'spam' } })).status).toBe(201);
    expect((await Promise.all(closed)).map((c) => c.code)).toEqual([3505, 3505]);
    expect(Date.now() - startedAt).toBeLessThan(2000);

    for (const server of [a, b]) {
      const again = realtimeClientAt(server.baseUrl, ws.ann ?? '');
      clients.push(again);
      const refused = next<{ code: number }>(again, 'disconnected');
      again.connect();
      expect((await refused).code).toBe(3505);
    }
  });

  it('ends a channel-banned user’s subscriptions to that channel on both processes, leaving their sockets and other channels', async () => {
    onTestFailed(() => console.error(`--- A stderr\n${a?.stderr()}\n--- B stderr\n${b?.stderr()}`));
    const onA = await connectTo(a, 'ben');
    const onB = await connectTo(b, 'ben');
    const rooms = [await subscribed(onA, 'room'), await subscribed(onB, 'room')];
    const lobbies = [await subscribed(onA, 'lobby'), await subscribed(onB, 'lobby')];
    const ended = rooms.map((sub) => next<{ code: number }>(sub, 'unsubscribed'));
    // Through process B this time: A learns it over Redis.
    expect((await call(b.baseUrl, '/api/moderation/bans', { apiKey, body: { userId: 'ben', channelId: 'room' } })).status).toBe(201);
    expect((await Promise.all(ended)).map((e) => e.code)).toEqual([2002, 2002]);
    await sleep(300);
    expect([onA.state, onB.state]).toEqual(['connected', 'connected']);
    expect(lobbies.map((sub) => sub.state)).toEqual(['subscribed', 'subscribed']);

    // Either process refuses the subscription from the store.
    for (const client of [onA, onB]) {
      client.removeSubscription(client.getSubscription('room'));
      const sub = client.newSubscription('room');
      const refused = next<{ code: number }>(sub, 'unsubscribed');
      sub.subscribe();
      expect((await refused).code).toBe(103);
    }
  });
});
