import type { CreateTokenResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** A bare protocol socket: what a broken, hostile or stalled client can do that the real client never would. */
function rawSocket(t: TestServer, origin?: string) {
  const ws = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/ws`, origin ? { origin } : {});
  const replies: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    for (const line of data.toString().split('\n')) if (line.trim() !== '') replies.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    replies,
    closed,
    async send(...commands: unknown[]) {
      await opened;
      ws.send(commands.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join('\n'));
    },
    /** The reply to command `id`, once it comes. */
    reply(id: number, ms = 5000): Promise<Record<string, unknown>> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = replies.find((r) => r.id === id);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => reject(new Error(`no reply ${id}; got ${JSON.stringify(replies).slice(0, 500)}`)), ms);
        waiters.add(check);
        check();
      });
    },
  };
}

describe('realtime limits and misbehaving clients', () => {
  let t: TestServer;
  let chat: ChatApp;
  const ws: Record<string, CreateTokenResponse> = {};
  const connect = (token: string) => ({ id: 1, connect: { token } });

  beforeAll(async () => {
    t = await startTestServer('sqlite', { realtime: { maxSubscriptions: 3 } });
    chat = await chatApp(t, ['ana', 'ben']);
    for (const id of ['ana', 'ben']) ws[id] = await issueTokens(t.baseUrl, chat.apiKey, { userId: id });
    for (const id of ['p1', 'p2', 'p3', 'p4']) await createChannel(t, { token: chat.users.ana?.token ?? '' }, { type: 'public', id });
  });
  afterAll(() => t.close());

  it('ends a connection whose first command is not connect, or whose frame is not JSON', async () => {
    const early = rawSocket(t);
    await early.send({ id: 1, subscribe: { channel: 'p1' } });
    expect(await early.closed).toEqual({ code: 3501, reason: 'bad request' });
    const garbage = rawSocket(t);
    await garbage.send(connect(ws.ana?.wsToken ?? ''), '{not json');
    expect(await garbage.closed).toEqual({ code: 3501, reason: 'bad request' });
  });

  it('refuses a frame over 64 KiB by closing the socket', async () => {
    const big = rawSocket(t);
    await big.send(connect(ws.ana?.wsToken ?? ''));
    await big.reply(1);
    await big.send({ id: 2, rpc: { method: 'typing', data: { channel: 'p1', typing: true, pad: 'x'.repeat(70 * 1024) } } });
    expect((await big.closed).code).toBe(1009);
  });

  it('refuses client publish, unknown rpc methods and subscriptions past the per-connection limit', async () => {
    const s = rawSocket(t);
    await s.send(
      connect(ws.ana?.wsToken ?? ''),
      { id: 2, publish: { channel: 'p1', data: { text: 'sneaky' } } },
      { id: 3, rpc: { method: 'shutdown', data: {} } },
      ...['p1', 'p2', 'p3', 'p4'].map((channel, i) => ({ id: 4 + i, subscribe: { channel } })),
      { id: 8, presence: {} },
    );
    expect((await s.reply(2)).error).toMatchObject({ code: 103 });
    expect((await s.reply(3)).error).toMatchObject({ code: 104 });
    for (const id of [4, 5, 6]) expect(await s.reply(id)).toHaveProperty('subscribe');
    expect((await s.reply(7)).error).toMatchObject({ code: 106 });
    expect((await s.reply(8)).error).toMatchObject({ code: 107 });
    s.ws.close();
  });

  it("checks the handshake's Origin against the app's allowed origins", async () => {
    const set = await call(t.baseUrl, '/api/app', { method: 'PATCH', apiKey: chat.apiKey, body: { allowedOrigins: ['https://chat.example'] } });
    expect(set.status).toBe(200);
    try {
      const foreign = rawSocket(t, 'https://evil.example');
      await foreign.send(connect(ws.ana?.wsToken ?? ''));
      expect((await foreign.closed).code).toBe(3503);
      const allowed = rawSocket(t, 'https://chat.example');
      await allowed.send(connect(ws.ana?.wsToken ?? ''));
      expect(await allowed.reply(1)).toHaveProperty('connect');
      allowed.ws.close();
    } finally {
      await call(t.baseUrl, '/api/app', { method: 'PATCH', apiKey: chat.apiKey, body: { allowedOrigins: [] } });
    }
  });

  it('ends a connection whose one frame asks for more than it reads, before building every answer', { timeout: 60_000 }, async () => {
    // Big messages: the kernel alone takes up to ~36 MB (tcp_rmem + tcp_wmem) from a reader that stalls.
    const setLength = await call(t.baseUrl, '/api/app', { method: 'PATCH', apiKey: chat.apiKey, body: { maxMessageLength: 20_000 } });
    expect(setLength.status).toBe(200);
    await createChannel(t, { token: chat.users.ana?.token ?? '' }, { type: 'messaging', id: 'big', members: ['ben'] });
    for (let i = 0; i < 100; i++) await send(t, { token: chat.users.ana?.token ?? '' }, 'big', { text: `${i} ${'x'.repeat(19_000)}` });
    const stalled = rawSocket(t);
    // It connects and asks for 60 pages of ~2 MB of history in one frame, and never reads: it pauses before
    // the first byte comes back, so the kernel's receive buffer for it stays small.
    await stalled.send(connect(ws.ben?.wsToken ?? ''), ...Array.from({ length: 60 }, (_, i) => ({ id: 2 + i, history: { channel: 'big', limit: 100 } })));
    stalled.ws.pause();
    await expect.poll(() => t.server.gateway.connections.size, { timeout: 45_000 }).toBe(0);
    stalled.ws.resume();
    const closed = await stalled.closed;
    // The close frame (3008) goes right behind what the socket already holds: a reader back within 30 s gets it.
    expect(closed.code).toBe(3008);
    expect(stalled.replies.filter((r) => 'history' in r).length).toBeLessThan(60);
  });

  it('drops a subscriber that stops reading while live events keep coming', { timeout: 60_000 }, async () => {
    const stalled = rawSocket(t);
    await stalled.send(connect(ws.ben?.wsToken ?? ''), { id: 2, subscribe: { channel: 'big' } });
    stalled.ws.pause();
    await expect.poll(() => t.server.gateway.connections.size).toBe(1);
    // Live pushes until it is dropped (up to ~20 MB): past what the kernel takes (~4 MB here) and the 4 MiB
    // limit, and still there 2 s later.
    const text = 'y'.repeat(19_000);
    let sent = 0;
    const sender = async () => {
      while (sent < 1000 && t.server.gateway.connections.size > 0) {
        sent++;
        await send(t, { token: chat.users.ana?.token ?? '' }, 'big', { text });
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    await expect.poll(() => t.server.gateway.connections.size, { timeout: 45_000 }).toBe(0);
    stalled.ws.resume();
    expect((await stalled.closed).code).toBe(3008);
  });
});
