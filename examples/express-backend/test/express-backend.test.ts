import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { ChatSDK, type WebhookBody, type WebhookWithSecret } from '@chatsdk/node';
import type { MessageNewEvent } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../packages/server/test/helpers/server.js';
import { newSigningSecret, signedHeaders } from '../../../packages/server/src/domain/webhooks/signature.js';
import { createApp } from '../src/app.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('examples/express-backend against a real ChatSDK', () => {
  let chat: TestServer;
  let apiKey: string;
  let hook: WebhookWithSecret;
  let example: Server;
  let base: string;
  const handled: { id: string; event: WebhookBody }[] = [];

  beforeAll(async () => {
    // The example's port is chosen first: the ChatSDK server must allowlist it to deliver there (loopback).
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    chat = await startTestServer('sqlite', { outbound: { allowHosts: [`127.0.0.1:${port}`] }, webhooks: { pollMs: 50 } });
    ({ apiKey } = await chat.createApp());
    hook = await new ChatSDK({ apiUrl: chat.baseUrl, apiKey }).webhooks.create({ url: `${base}/webhooks/chatsdk`, events: ['message.new'] });
    const app = createApp({
      chatApiUrl: chat.baseUrl,
      chatApiKey: apiKey,
      webhookSecrets: [hook.secret],
      accounts: [{ id: 'alice', name: 'Alice Martin', password: 'alice-pw' }],
      onEvent: (event, id) => {
        handled.push({ id, event });
      },
    });
    example = await new Promise<Server>((resolve) => {
      const server = app.listen(port, '127.0.0.1', () => resolve(server));
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (example ? example.close(() => resolve()) : resolve()));
    await chat?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

  it('turns the logged-in user into ChatSDK tokens that work, and never shows the API key', async () => {
    expect((await post('/api/auth/chat-token', '{}')).status).toBe(401);
    expect((await post('/api/auth/login', JSON.stringify({ username: 'alice', password: 'wrong' }))).status).toBe(401);

    const login = await post('/api/auth/login', JSON.stringify({ username: 'alice', password: 'alice-pw' }));
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/);

    const answer = await post('/api/auth/chat-token', '{}', { Cookie: cookie });
    expect(answer.status).toBe(200);
    const text = await answer.text();
    expect(text).not.toContain(apiKey);
    const tokens = JSON.parse(text) as { token: string; wsToken: string; expiresIn: number; apiUrl: string; userId: string };
    expect(tokens).toMatchObject({ expiresIn: 86400, apiUrl: chat.baseUrl, userId: 'alice' });

    const me = await fetch(`${chat.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${tokens.token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string; name: string } }).user).toMatchObject({ id: 'alice', name: 'Alice Martin' });
    const wsOnRest = await fetch(`${chat.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${tokens.wsToken}` } });
    expect(wsOnRest.status).toBe(401);
  });

  it('accepts a delivery signed with the webhook secret, and handles a repeat once', async () => {
    const body = JSON.stringify({ type: 'message.new', timestamp: new Date().toISOString(), data: { type: 'message.new', channelId: 'c', message: { id: 'signed-1' } } });
    const headers = signedHeaders([hook.secret], 'evt_signed_1', body);
    expect((await post('/webhooks/chatsdk', body, headers)).status).toBe(204);
    expect((await post('/webhooks/chatsdk', body, headers)).status).toBe(204);
    expect(handled.filter((h) => h.id === 'evt_signed_1')).toHaveLength(1);
  });

  it('refuses forged, tampered and stale deliveries without handling them', async () => {
    const body = JSON.stringify({ type: 'message.new', timestamp: new Date().toISOString(), data: { type: 'message.new', channelId: 'c', message: { id: 'forged' } } });
    const forged = await post('/webhooks/chatsdk', body, signedHeaders([newSigningSecret()], 'evt_forged', body));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');

    const tampered = body.replace('forged', 'tampered');
    expect((await post('/webhooks/chatsdk', tampered, signedHeaders([hook.secret], 'evt_tampered', body))).status).toBe(401);

    const stale = await post('/webhooks/chatsdk', body, signedHeaders([hook.secret], 'evt_stale', body, Date.now() - 10 * 60_000));
    expect(stale.status).toBe(400);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('timestamp_too_old');

    expect((await post('/webhooks/chatsdk', body)).status).toBe(400);
    expect(handled.map((h) => h.id)).not.toEqual(expect.arrayContaining(['evt_forged', 'evt_tampered', 'evt_stale']));
  });

  it('receives the real delivery of a message sent through ChatSDK', async () => {
    const sdk = new ChatSDK({ apiUrl: chat.baseUrl, apiKey });
    await sdk.upsertUsers([{ id: 'alice' }, { id: 'bob' }]);
    await sdk.channels.create({ type: 'messaging', id: 'e2e', members: ['alice', 'bob'], createdBy: 'alice' });
    const message = await sdk.channels.sendMessage('e2e', { userId: 'bob', text: 'hi from bob' });
    const deadline = Date.now() + 10_000;
    const ofMessage = () => handled.filter((h) => h.event.type === 'message.new' && (h.event.data as MessageNewEvent).message.id === message.id);
    while (ofMessage().length === 0 && Date.now() < deadline) await sleep(25);
    expect(ofMessage()).toHaveLength(1);
    expect((ofMessage()[0]?.event.data as MessageNewEvent).message.text).toBe('hi from bob');
    // The server records the delivery once it has read the 204, a moment after the handler ran.
    const delivered = async () => (await sdk.webhooks.deliveries(hook.id)).deliveries.find((d) => d.id === ofMessage()[0]?.id && d.status === 'delivered');
    while (!(await delivered()) && Date.now() < deadline) await sleep(25);
    expect(await delivered()).toMatchObject({ status: 'delivered', lastStatusCode: 204, attempts: 1 });
  });
});
