import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChatApp, chatApp } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** The status line and headers a raw upgrade request gets. */
function rawUpgrade(baseUrl: string, path: string, extraHeaders: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
      );
    });
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(head.slice(0, head.indexOf('\r\n\r\n')));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed without an answer')));
  });
}

/** How a raw `ws` client's connection ended, and every message it got. */
function connectRaw(url: string, wsToken: string, protocols?: string): Promise<{ socket: WebSocket; messages: string[]; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((resolve, reject) => {
    const socket = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
    const messages: string[] = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => socket.on('close', (code, reason) => done({ code, reason: reason.toString() })));
    socket.on('message', (data) => messages.push(data.toString()));
    socket.on('error', reject);
    socket.on('open', () => {
      socket.send(JSON.stringify({ id: 1, connect: { token: wsToken } }));
      socket.once('message', () => resolve({ socket, messages, closed }));
    });
  });
}

describe('the WebSocket handshake and close, as Centrifugo does them', () => {
  let t: TestServer;
  let chat: ChatApp;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    chat = await chatApp(t, ['ana']);
  });
  afterAll(() => t.close());

  it('treats an empty Sec-WebSocket-Protocol header (Python websockets sends one) as none', async () => {
    for (const path of ['/ws', '/connection/websocket']) {
      const head = await rawUpgrade(t.baseUrl, path, 'Sec-WebSocket-Protocol: \r\n');
      expect(head, path).toMatch(/^HTTP\/1\.1 101 /);
      expect(head.toLowerCase()).not.toContain('sec-websocket-protocol');
    }
  });

  it('chooses centrifuge-protobuf or centrifuge-json when offered, and refuses other paths', async () => {
    expect(await rawUpgrade(t.baseUrl, '/connection/websocket', 'Sec-WebSocket-Protocol: centrifuge-protobuf\r\n')).toMatch(/sec-websocket-protocol: centrifuge-protobuf/i);
    expect(await rawUpgrade(t.baseUrl, '/connection/websocket', 'Sec-WebSocket-Protocol: centrifuge-json\r\n')).toMatch(/sec-websocket-protocol: centrifuge-json/i);
    await expect(rawUpgrade(t.baseUrl, '/connection/elsewhere', '')).rejects.toThrow();
  });

  it('carries a server-side disconnect in the close frame, code and reason, and sends nothing else for it', async () => {
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ana' });
    const { messages, closed } = await connectRaw(`${t.baseUrl.replace('http', 'ws')}/connection/websocket`, wsToken);
    expect(JSON.parse(messages[0] ?? '{}')).toHaveProperty('connect');
    expect((await call(t.baseUrl, '/api/users/ana/revoke-tokens', { method: 'POST', apiKey: chat.apiKey })).status).toBe(200);
    expect(await closed).toEqual({ code: 3011, reason: 'force reconnect' });
    expect(messages).toHaveLength(1);
  });

  it('refuses a binary frame on a JSON socket and a text frame on a Protobuf one (3501)', async () => {
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ana' });
    const json = await connectRaw(`${t.baseUrl.replace('http', 'ws')}/ws`, wsToken);
    json.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await json.closed).toEqual({ code: 3501, reason: 'bad request' });
    const protobuf = await new Promise<{ closed: Promise<{ code: number; reason: string }> }>((resolve) => {
      const socket = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/ws`, 'centrifuge-protobuf');
      const closed = new Promise<{ code: number; reason: string }>((done) => socket.on('close', (code, reason) => done({ code, reason: reason.toString() })));
      socket.on('open', () => {
        socket.send(JSON.stringify({ id: 1, connect: { token: wsToken } }));
        resolve({ closed });
      });
    });
    expect(await protobuf.closed).toEqual({ code: 3501, reason: 'bad request' });
  });
});
