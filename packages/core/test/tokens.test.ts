import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatError, type TokenPair, type UnauthorizedContext } from '../src/index.js';
import { call } from '../../server/test/helpers/http.js';
import { type Harness, snapshotWhere, startHarness, until } from './helpers.js';

/** A tokenProvider for `userId` that counts its calls and answers after `delayMs`. */
function provider(h: Harness, userId: string, delayMs = 30) {
  const counter = {
    calls: 0,
    provide: async (): Promise<TokenPair> => {
      counter.calls++;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const { token, wsToken, expiresIn } = await h.tokens(userId);
      return { token, wsToken, expiresIn };
    },
  };
  return counter;
}

async function serverMessages(h: Harness, channelId: string) {
  const reply = await call<{ messages: Array<{ id: string; text: string }> }>(h.t.baseUrl, `/api/channels/${channelId}/messages?limit=200`, { apiKey: h.apiKey });
  return reply.body.messages.reverse();
}

describe('tokens', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    for (const user of ['eve', 'fay', 'gus', 'hal', 'ida', 'jon']) await h.tokens(user);
  });
  afterAll(() => h.close());

  it('renews an expired token through the tokenProvider without losing a send', async () => {
    const renew = provider(h, 'eve');
    const client = await h.client('eve', { ...h.expiredTokens('eve'), tokenProvider: renew.provide });
    const unauthorized: UnauthorizedContext[] = [];
    client.on('unauthorized', (ctx) => unauthorized.push(ctx));
    // The socket's token is expired too: it is renewed by the same refresh.
    await client.connect();
    const channel = await client.channels.create({ type: 'messaging', id: 'eve-notes', members: ['eve'] });
    await channel.watch();
    const sent = await channel.sendMessage('written with a renewed token');
    expect(sent.status).toBe('sent');
    expect(renew.calls).toBe(1);
    expect(unauthorized).toEqual([]);
    expect((await serverMessages(h, 'eve-notes')).map((m) => m.text)).toEqual(['written with a renewed token']);
  });

  it('renews a token the server stops accepting mid-session, once for REST and socket, and the send lands once', async () => {
    const renew = provider(h, 'fay');
    const client = await h.client('fay', { tokenProvider: renew.provide });
    await client.connect();
    const channel = await client.channels.create({ type: 'messaging', id: 'fay-notes', members: ['fay'] });
    await channel.watch();
    await h.revoke('fay');
    // The send is refused (token_revoked), the tokens renewed, the send retried with the same id.
    const sent = await channel.sendMessage('after the revocation');
    expect(sent.status).toBe('sent');
    // The server dropped the socket (revoked): it reconnects with the renewed wsToken, not a second refresh.
    await snapshotWhere(client.connection, (s) => s.status === 'connected');
    await until(() => channel.messages.getSnapshot().messages.length === 1);
    expect(renew.calls).toBe(1);
    expect((await serverMessages(h, 'fay-notes')).map((m) => m.text)).toEqual(['after the revocation']);
    const other = await h.client('hal');
    await other.connect();
    await other.channels.create({ type: 'messaging', id: 'fay-hal', members: ['fay', 'hal'] });
    await client.channel('fay-hal').watch();
    await other.channel('fay-hal').sendMessage('still live after the renewal');
    await snapshotWhere(client.channel('fay-hal').messages, (s) => s.messages.length === 1);
  });

  it('makes exactly one refresh for 20 concurrent requests at expiry', async () => {
    // Expired by its `exp`: renewed before sending.
    const renew = provider(h, 'gus');
    const client = await h.client('gus', { ...h.expiredTokens('gus'), tokenProvider: renew.provide });
    const users = await Promise.all(Array.from({ length: 20 }, () => client.users.me()));
    expect(users.map((u) => u.id)).toEqual(Array(20).fill('gus'));
    expect(renew.calls).toBe(1);

    // Refused by the server (401 on all 20): one refresh, 20 retries.
    const renewIda = provider(h, 'ida');
    const ida = await h.client('ida', { tokenProvider: renewIda.provide });
    await ida.users.me();
    await h.revoke('ida');
    const again = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? ida.users.me() : ida.users.get('gus'))));
    expect(again).toHaveLength(20);
    expect(renewIda.calls).toBe(1);
  });

  it('emits unauthorized when the provider fails, or a 401 survives one refresh, or there is no provider', async () => {
    const failing = await h.client('jon', { ...h.expiredTokens('jon'), tokenProvider: () => Promise.reject(new Error('backend down')) });
    const seen: UnauthorizedContext[] = [];
    failing.on('unauthorized', (ctx) => seen.push(ctx));
    const error = await failing.users.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(seen.map((ctx) => ctx.reason)).toEqual(['token_provider_failed']);
    expect(seen[0]?.error.message).toMatch(/backend down/);

    // A provider that hands back refused tokens: one refresh, then `unauthorized` with the server's reason.
    const stale = await h.tokens('jon');
    await h.revoke('jon');
    let calls = 0;
    const stubborn = await h.client('jon', { token: stale.token, wsToken: stale.wsToken, tokenProvider: async () => (calls++, stale) });
    const reasons: string[] = [];
    stubborn.on('unauthorized', (ctx) => reasons.push(ctx.reason));
    const refused = await stubborn.users.me().catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'token_revoked', status: 401 });
    expect((refused as ChatError).requestId).toMatch(/^req_/);
    expect(calls).toBe(1);
    expect(reasons).toEqual(['token_revoked']);

    // No provider: the first 401 is final; many refused calls are one event.
    const bare = await h.client('jon', { token: stale.token, wsToken: stale.wsToken });
    const bareReasons: string[] = [];
    bare.on('unauthorized', (ctx) => bareReasons.push(ctx.reason));
    await expect(bare.users.me()).rejects.toMatchObject({ code: 'token_revoked' });
    await Promise.all(Array.from({ length: 5 }, () => expect(bare.users.me()).rejects.toMatchObject({ code: 'token_revoked' })));
    expect(bareReasons).toEqual(['token_revoked']);
  });

  it('keeps the socket asking a provider that fails for a while, and reports it once', async () => {
    let failures = 2;
    const renew = provider(h, 'ida', 0);
    const client = await h.client('ida', {
      ...h.expiredTokens('ida'),
      tokenProvider: () => (failures-- > 0 ? Promise.reject(new Error('backend restarting')) : renew.provide()),
    });
    const reasons: string[] = [];
    client.on('unauthorized', (ctx) => reasons.push(ctx.reason));
    await client.connect();
    expect(client.connection.getSnapshot().status).toBe('connected');
    expect(reasons).toEqual(['token_provider_failed']);
    expect((await client.users.me()).id).toBe('ida');
  });

  it('never refreshes on a network error', async () => {
    const renew = provider(h, 'hal');
    const client = await h.client('hal', { tokenProvider: renew.provide, fetch: () => Promise.reject(new TypeError('fetch failed')) });
    const error = await client.users.me().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network_error', status: 0 });
    expect((error as ChatError).isNetwork).toBe(true);
    expect(renew.calls).toBe(0);
  });
});
