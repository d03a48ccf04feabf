import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../packages/server/test/helpers/server.js';
import { buildBackend } from '../src/app.js';
import { fetchChatTokens } from '../src/chat-tokens.js';
import { type DemoUser, findUser } from '../src/users.js';

/** One HTTP exchange with the backend, keeping what a browser would see. */
interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Answer;
}

/** Every field any of the backend's answers has; each test reads the ones its route sends. */
interface Answer {
  error: { code: string; message: string; status: number };
  user: { id: string; name: string };
  token: string;
  wsToken: string;
  expiresIn: number;
  apiUrl: string;
  chatApiUrl: string;
  demoAccounts: { id: string; name: string; password: string }[];
}

/** A browser's cookie jar for one site, in its simplest form. */
class Browser {
  cookie = '';
  readonly seen: string[] = [];

  constructor(private readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await response.text();
    // Everything the browser could read: every header and body, to look for the API key in.
    this.seen.push(JSON.stringify([...response.headers]), text);
    return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : {}) as Answer };
  }

  login(username: string, password: string): Promise<Reply> {
    return this.request('POST', '/api/auth/login', { username, password });
  }
}

describe('examples/backend against a real ChatSDK', () => {
  let chat: TestServer;
  let apiKey: string;
  let backend: FastifyInstance;
  let baseUrl: string;
  const browsers: Browser[] = [];
  const browser = () => {
    const b = new Browser(baseUrl);
    browsers.push(b);
    return b;
  };

  beforeAll(async () => {
    chat = await startTestServer('sqlite');
    ({ apiKey } = await chat.createApp('Backend example'));
    backend = buildBackend({
      chatUrl: chat.baseUrl,
      apiKey,
      tokenRateLimit: { limit: 3, windowMs: 60_000 },
      loginRateLimit: { limit: 5, windowMs: 60_000 },
    });
    await backend.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    // Whatever any test did, no response carried the API key.
    for (const b of browsers) for (const text of b.seen) expect(text).not.toContain(apiKey);
    await backend?.close();
    await chat?.close();
  });

  it('logs a demo user in with an HttpOnly, SameSite=Strict session cookie', async () => {
    const alice = browser();
    const reply = await alice.login('alice', 'alice-demo');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ user: { id: 'alice', name: 'Alice Martin', role: 'user' } });
    const cookie = reply.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^demo_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect((await alice.request('GET', '/api/auth/me')).body).toEqual({ user: { id: 'alice', name: 'Alice Martin', role: 'user' } });
  });

  it('refuses a wrong password and an unknown user alike, and anything unauthenticated', async () => {
    const b = browser();
    for (const [user, password] of [['bob', 'nope'], ['mallory', 'bob-demo']] as const) {
      const reply = await b.login(user, password);
      expect(reply.status).toBe(401);
      expect(reply.body.error).toMatchObject({ code: 'invalid_credentials', status: 401 });
    }
    expect(b.cookie).toBe('');
    expect((await b.request('GET', '/api/auth/me')).status).toBe(401);
    const tokens = await b.request('POST', '/api/auth/chat-token');
    expect(tokens.status).toBe(401);
    expect(tokens.body.error.code).toBe('not_logged_in');
    // A made-up session id is no session.
    b.cookie = 'demo_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect((await b.request('POST', '/api/auth/chat-token')).status).toBe(401);
  });

  it('refuses a malformed login body with 400', async () => {
    const reply = await browser().request('POST', '/api/auth/login', { username: 'bob' });
    expect(reply.status).toBe(400);
    expect(reply.body.error.status).toBe(400);
  });

  it("gets the user's ChatSDK tokens, which work against ChatSDK as that user", async () => {
    const bob = browser();
    await bob.login('BOB ', 'bob-demo');
    const reply = await bob.request('POST', '/api/auth/chat-token');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(reply.body).sort()).toEqual(['apiUrl', 'expiresIn', 'token', 'user', 'wsToken']);
    expect(reply.body.expiresIn).toBe(86400);
    expect(reply.body.user).toEqual({ id: 'bob', name: 'Bob Okafor' });

    const me = await fetch(`${chat.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${reply.body.token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string; name: string } }).user).toMatchObject({ id: 'bob', name: 'Bob Okafor', role: 'user' });

    // The backend put bob in the demo's channels.
    const list = await fetch(`${chat.baseUrl}/api/channels`, { headers: { Authorization: `Bearer ${reply.body.token}` } });
    const { channels } = (await list.json()) as { channels: { channel: { id: string; type: string } }[] };
    expect(channels.map((c) => c.channel.id).sort()).toEqual(['general', 'random']);
  });

  it('gives carol the moderator role in ChatSDK, which opens the review queue to her alone', async () => {
    // Straight through the token call the route uses: carol's route quota belongs to the rate-limit test below.
    const carol = await fetchChatTokens(chat.baseUrl, apiKey, findUser('carol') as DemoUser);
    const me = await fetch(`${chat.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${carol.token}` } });
    expect(((await me.json()) as { user: { role: string } }).user.role).toBe('moderator');
    const queue = await fetch(`${chat.baseUrl}/api/moderation/flags`, { headers: { Authorization: `Bearer ${carol.token}` } });
    expect(queue.status).toBe(200);
    const alice = await fetchChatTokens(chat.baseUrl, apiKey, findUser('alice') as DemoUser);
    const refused = await fetch(`${chat.baseUrl}/api/moderation/flags`, { headers: { Authorization: `Bearer ${alice.token}` } });
    expect(refused.status).toBe(403);
  });

  it('tells the browser where ChatSDK is: the page host on the chat port', async () => {
    // fetch() may not set Host; a page opened as http://my-laptop:8080 sends this one.
    const config = await new Promise<Answer>((resolve, reject) => {
      get(`${baseUrl}/api/config`, { headers: { Host: 'my-laptop:8080' } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(JSON.parse(text) as Answer));
      }).on('error', reject);
    });
    expect(config.chatApiUrl).toBe(`http://my-laptop:${new URL(chat.baseUrl).port}`);
    expect(config.demoAccounts.map((a) => a.id)).toEqual(['alice', 'bob', 'carol']);
  });

  it('rate-limits chat tokens per user, with Retry-After, without touching other users', async () => {
    const carol = browser();
    await carol.login('carol', 'carol-demo');
    const carolOnAnotherDevice = browser();
    await carolOnAnotherDevice.login('carol', 'carol-demo');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await carol.request('POST', '/api/auth/chat-token')).status);
    expect(statuses).toEqual([200, 200, 200]);
    // The limit is the user's, whatever the session.
    const refused = await carolOnAnotherDevice.request('POST', '/api/auth/chat-token');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const alice = browser();
    await alice.login('alice', 'alice-demo');
    expect((await alice.request('POST', '/api/auth/chat-token')).status).toBe(200);
  });

  it('rate-limits login attempts per user name', async () => {
    const attacker = browser();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await attacker.login('guessme', `wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('refuses writes from another origin', async () => {
    const b = browser();
    const reply = await b.request('POST', '/api/auth/login', { username: 'alice', password: 'alice-demo' }, { Origin: 'https://evil.example' });
    expect(reply.status).toBe(403);
    expect(b.cookie).toBe('');
  });

  it('logs out: the session no longer gets tokens', async () => {
    const alice = browser();
    await alice.login('alice', 'alice-demo');
    const session = alice.cookie;
    expect((await alice.request('POST', '/api/auth/logout')).status).toBe(204);
    alice.cookie = session; // a copy of the old cookie, replayed
    expect((await alice.request('POST', '/api/auth/chat-token')).status).toBe(401);
  });

  it('answers 502 without details when ChatSDK refuses the key', async () => {
    const misconfigured = buildBackend({ chatUrl: chat.baseUrl, apiKey: 'chatsdk_not-a-real-key' });
    await misconfigured.listen({ port: 0, host: '127.0.0.1' });
    try {
      const b = new Browser(`http://127.0.0.1:${(misconfigured.server.address() as AddressInfo).port}`);
      await b.login('alice', 'alice-demo');
      const reply = await b.request('POST', '/api/auth/chat-token');
      expect(reply.status).toBe(502);
      expect(reply.body.error.code).toBe('chat_key_refused');
      expect(reply.text).not.toContain('chatsdk_not-a-real-key');
    } finally {
      await misconfigured.close();
    }
  });
});
