import type { CreateTokenResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_LINGER_MS } from '../src/realtime/transport.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { connectedSocket, type ProtocolSocket } from './helpers/protocol-socket.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const SLOW = { code: 3008, reason: 'slow' };
/** How long the stalled client stays away after the cut: longer than the 1 s a closing socket was once given. */
const AWAY_MS = 3000;
const away = () => new Promise((resolve) => setTimeout(resolve, AWAY_MS));

/** The offsets of the channel publications a socket received, in the order it received them. */
/** Disconnect pushes among what the socket read: over WebSocket there must be none. */
function disconnectPushes(s: ProtocolSocket): unknown[] {
  return s.messages().filter((m) => typeof m.push === 'object' && m.push !== null && 'disconnect' in m.push);
}

function publicationOffsets(s: ProtocolSocket, channel: string): number[] {
  return s
    .messages()
    .map((m) => m.push as { channel?: string; pub?: { offset?: number } } | undefined)
    .filter((push) => push?.channel === channel && push.pub !== undefined)
    .map((push) => push?.pub?.offset ?? -1);
}

/** Sends 19 KB messages to `channel` from four senders until the server has no connection left; how many it sent. */
async function sendUntilCut(t: TestServer, token: string, channel: string): Promise<number> {
  const text = 'y'.repeat(19_000);
  let sent = 0;
  const sender = async () => {
    while (sent < 3000 && t.server.gateway.connections.size > 0) {
      sent++;
      await send(t, { token }, channel, { text });
    }
  };
  await Promise.all([sender(), sender(), sender(), sender()]);
  return sent;
}

/**
 * A client that stops reading its TCP socket (its net.Socket paused, as a
 * frozen tab or a stalled mobile link does) while the server has data for it.
 */
describe('slow consumers', () => {
  let t: TestServer;
  let chat: ChatApp;
  const ws: Record<string, CreateTokenResponse> = {};
  const ana = () => ({ token: chat.users.ana?.token ?? '' });

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    chat = await chatApp(t, ['ana', 'ben']);
    for (const id of ['ana', 'ben']) ws[id] = await issueTokens(t.baseUrl, chat.apiKey, { userId: id });
    const setLength = await call(t.baseUrl, '/api/app', { method: 'PATCH', apiKey: chat.apiKey, body: { maxMessageLength: 20_000 } });
    expect(setLength.status).toBe(200);
    await createChannel(t, ana(), { type: 'messaging', id: 'big', members: ['ben'] });
  });
  afterAll(() => t.close());

  it('cuts a subscriber that stops reading within seconds, and it reads the 3008 disconnect when it reads again', { timeout: 90_000 }, async () => {
    const stalled = await connectedSocket(t.baseUrl, ws.ben?.wsToken ?? '');
    await stalled.send({ id: 2, subscribe: { channel: 'big' } });
    expect(await stalled.reply(2)).toHaveProperty('subscribe');
    stalled.ws.pause();
    const started = Date.now();
    // Live events until the server gives up on it: each is about 19 KB, and the socket reads none.
    const sent = await sendUntilCut(t, ana().token, 'big');
    const cutAfterMs = Date.now() - started;
    expect(t.server.gateway.connections.size).toBe(0);
    // Cut for being slow, long before the ping check (35 s) would have dropped it for not answering.
    expect(cutAfterMs).toBeLessThan(25_000);

    await away();
    stalled.ws.resume();
    expect(await stalled.closed).toEqual(SLOW);
    // What it reads: whole frames, a prefix of the channel's stream with nothing missing; the disconnect
    // comes as Centrifugo sends it over WebSocket, in the close frame only.
    expect(stalled.messages()).toHaveLength(stalled.lines.length);
    expect(disconnectPushes(stalled)).toEqual([]);
    const offsets = publicationOffsets(stalled, 'big');
    expect(offsets.length).toBeGreaterThan(0);
    expect(offsets.length).toBeLessThan(sent);
    const first = offsets[0] ?? 0;
    expect(offsets).toEqual(offsets.map((_, i) => first + i));
  });

  it('ends a connection whose one frame asks for more than it reads, and it reads the 3008 disconnect', { timeout: 90_000 }, async () => {
    // The channel holds hundreds of 19 KB events by now: each page of 100 is about 2 MB.
    const stalled = await connectedSocket(t.baseUrl, ws.ben?.wsToken ?? '');
    stalled.ws.pause();
    await stalled.send(...Array.from({ length: 60 }, (_, i) => ({ id: 2 + i, history: { channel: 'big', limit: 100 } })));
    await expect.poll(() => t.server.gateway.connections.size, { timeout: 30_000 }).toBe(0);
    await away();
    stalled.ws.resume();
    expect(await stalled.closed).toEqual(SLOW);
    expect(stalled.messages()).toHaveLength(stalled.lines.length);
    expect(disconnectPushes(stalled)).toEqual([]);
    expect(stalled.messages().filter((m) => 'history' in m).length).toBeLessThan(60);
  });

  it('does not hold a shutdown for a cut socket whose close frame is still waiting', { timeout: 90_000 }, async () => {
    const own = await startTestServer('sqlite');
    const app = await chatApp(own, ['ana', 'ben']);
    const token = app.users.ana?.token ?? '';
    expect((await call(own.baseUrl, '/api/app', { method: 'PATCH', apiKey: app.apiKey, body: { maxMessageLength: 20_000 } })).status).toBe(200);
    await createChannel(own, { token }, { type: 'messaging', id: 'big', members: ['ben'] });
    const stalled = await connectedSocket(own.baseUrl, (await issueTokens(own.baseUrl, app.apiKey, { userId: 'ben' })).wsToken);
    await stalled.send({ id: 2, subscribe: { channel: 'big' } });
    expect(await stalled.reply(2)).toHaveProperty('subscribe');
    stalled.ws.pause();
    await sendUntilCut(own, token, 'big');
    const closing = Date.now();
    await own.close();
    // The socket lingers for its reader for up to CLOSE_LINGER_MS; a shutdown cuts it after the usual second.
    expect(Date.now() - closing).toBeLessThan(CLOSE_LINGER_MS / 2);
    stalled.ws.resume();
    await stalled.closed;
  });
});
