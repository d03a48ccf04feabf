import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** The first line of an HTTP stream opened with `body`, and a way to close it. */
async function openStream(baseUrl: string, body: string): Promise<{ first: Record<string, unknown>; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/connection/http_stream`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: controller.signal });
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return { first: JSON.parse(text.slice(0, text.indexOf('\n'))) as Record<string, unknown>, close: () => controller.abort() };
}

/** Bad input to the streaming transports gets a 4xx in the error shape, never a 500 and never a session. */
describe('requests of the emulated transports', () => {
  let t: TestServer;
  let chat: ChatApp;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    chat = await chatApp(t, ['ana']);
  });
  afterAll(() => t.close());

  it('refuses a stream without commands, an SSE without cf_connect, and emulation bodies that are not requests', async () => {
    expectError(await call(t.baseUrl, '/connection/http_stream', { method: 'POST', body: '' }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/connection/sse'), 'validation_failed', 400);
    // A stream is opened only for a readable connect.
    for (const body of ['garbage', '42', '{"id":1,"subscribe":{"channel":"c"}}', '{"id":"x","connect":{}}']) {
      expectError(await call(t.baseUrl, '/connection/http_stream', { method: 'POST', body }), 'validation_failed', 400);
      expectError(await call(t.baseUrl, `/connection/sse?cf_connect=${encodeURIComponent(body)}`), 'validation_failed', 400);
    }
    for (const body of ['garbage', '[1,2]', '{"session":1,"node":"n","data":"{}"}', '{"session":"s","node":"n"}']) {
      expectError(await call(t.baseUrl, '/emulation', { method: 'POST', body }), 'validation_failed', 400);
    }
    const garbage = await fetch(`${t.baseUrl}/emulation`, { method: 'POST', body: new Uint8Array([0x0a, 0xff]), headers: { 'content-type': 'application/octet-stream' } });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    expect(t.server.gateway.connections.size).toBe(0);
  });

  it('answers 404 session_not_found for a session this process does not hold, and 204 for one it does', async () => {
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ana' });
    const stream = await openStream(t.baseUrl, JSON.stringify({ id: 1, connect: { token: wsToken } }));
    const { session, node } = stream.first.connect as { session: string; node: string };
    expect(session).toEqual(expect.any(String));
    const post = (body: unknown) => call(t.baseUrl, '/emulation', { method: 'POST', body });
    expect((await post({ session, node, data: JSON.stringify({ id: 2, presence_stats: { channel: 'none' } }) })).status).toBe(204);
    expectError(await post({ session: 'no-such-session', node, data: '{}' }), 'session_not_found', 404);
    stream.close();
  });
});
