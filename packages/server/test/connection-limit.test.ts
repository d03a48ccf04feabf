import type { AppResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { protocolSocket } from './helpers/protocol-socket.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** A user's realtime connections are capped per app, so that a leaking client cannot take the process's sockets. */
describe.each(storeKinds)('the per-user connection limit on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['ana', 'ben']);
  });
  afterAll(() => t.close());

  const connectAs = async (userId: string) => {
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId });
    const socket = protocolSocket(t.baseUrl);
    await socket.send({ id: 1, connect: { token: wsToken } });
    return socket;
  };

  it('is 20 by default and settable from 1 to 1,000', async () => {
    const app = await call<AppResponse>(t.baseUrl, '/api/app', { apiKey: chat.apiKey });
    expect(app.body.app.maxConnectionsPerUser).toBe(20);
    for (const bad of [0, 1001, 2.5, '3']) {
      expectError(await call(t.baseUrl, '/api/app', { method: 'PATCH', apiKey: chat.apiKey, body: { maxConnectionsPerUser: bad } }), 'validation_failed', 400);
    }
  });

  it('refuses a connection past the limit with 3504, counts per user, and frees a place when one closes', async () => {
    const patched = await call<AppResponse>(t.baseUrl, '/api/app', { method: 'PATCH', apiKey: chat.apiKey, body: { maxConnectionsPerUser: 2 } });
    expect(patched.body.app.maxConnectionsPerUser).toBe(2);
    const first = await connectAs('ana');
    const second = await connectAs('ana');
    expect(await first.reply(1)).toHaveProperty('connect');
    expect(await second.reply(1)).toHaveProperty('connect');
    const third = await connectAs('ana');
    expect(await third.closedWithin(3000)).toEqual({ code: 3504, reason: 'connection limit' });
    // Another user has places of their own.
    const ben = await connectAs('ben');
    expect(await ben.reply(1)).toHaveProperty('connect');
    first.ws.close();
    await first.closed;
    await expect
      .poll(async () => {
        const again = await connectAs('ana');
        const outcome = await Promise.race([again.reply(1, 2000).then(() => 'connected'), again.closed.then((c) => String(c.code))]);
        again.ws.close();
        return outcome;
      }, { timeout: 5000 })
      .toBe('connected');
    for (const s of [second, ben]) s.ws.close();
  });
});
