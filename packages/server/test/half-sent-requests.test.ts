import type { AddressInfo } from 'node:net';
import type { Centrifuge } from 'centrifuge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../src/bus/index.js';
import { createApiKey } from '../src/domain/auth/api-keys.js';
import { createApp } from '../src/domain/auth/apps.js';
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from '../src/http/timeouts.js';
import { type ChatServer, createChatServer } from '../src/server.js';
import { issueTokens } from './helpers/http.js';
import { errorShapeProblems } from './helpers/openapi-sweep.js';
import { asReply, openSocket, parseResponses, record, type SocketRecording } from './helpers/raw-http.js';
import { next, realtimeClientAt } from './helpers/realtime.js';
import { startTestServer } from './helpers/server.js';
import { createTestStorage, type TestStorage } from './helpers/stores.js';

/** Short enough for a test, with the production ratios: headers < request < idle, keep-alive apart. */
const TIMEOUTS: HttpTimeouts = { headersMs: 300, requestMs: 600, idleMs: 900, keepAliveMs: 1000, checkIntervalMs: 100 };
/** How long any of them may take to act, checks included, with room for a loaded machine. */
const CLOSED_WITHIN_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('requests that never finish', () => {
  let storage: TestStorage;
  let server: ChatServer;
  let baseUrl: string;
  let apiKey: string;

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    server = await createChatServer({
      config: { port: 0, host: '127.0.0.1', dataDir: '', databaseUrl: undefined, redisUrl: undefined, logLevel: 'silent' },
      store: storage.open(),
      bus: createMemoryBus(),
      httpTimeouts: TIMEOUTS,
    });
    await server.listen();
    baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    const app = await createApp(server.context.store, { name: 'Timeouts' });
    ({ apiKey } = await createApiKey(server.context.store, app.id));
  });
  afterAll(async () => {
    await server?.close();
    await storage?.destroy();
  });

  /** Opens a connection, writes `text`, and records what comes back. */
  async function halfSend(text: string): Promise<SocketRecording> {
    const socket = await openSocket(baseUrl);
    const recording = record(socket);
    if (text) socket.write(text);
    return recording;
  }

  it('closes 300 connections that sent half their headers, each with 408 request_timeout in the error shape', async () => {
    const recordings = await Promise.all(Array.from({ length: 300 }, (_, i) => halfSend(`GET /health?n=${i} HTTP/1.1\r\nHost: chatsdk\r\nX-Half: `)));
    await Promise.all(recordings.map((r) => r.whenClosed(CLOSED_WITHIN_MS)));
    const answers = recordings.map((r) => parseResponses(r.text)[0]);
    expect(answers.filter((a) => a?.status !== 408).length, recordings[0]?.text).toBe(0);
    const first = answers[0];
    if (first) expect(errorShapeProblems(asReply(first), ['request_timeout'])).toEqual([]);
  });

  it('closes a connection whose body stops halfway, with 408', async () => {
    const body = JSON.stringify({ userId: 'never-finished' });
    const recording = await halfSend(
      `POST /tokens HTTP/1.1\r\nHost: chatsdk\r\nX-API-Key: ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await recording.whenClosed(CLOSED_WITHIN_MS);
    const [answer] = parseResponses(recording.text);
    expect(answer?.status, recording.text).toBe(408);
  });

  it('closes a connection that sends nothing at all (Node counts it as headers not yet arrived)', async () => {
    const recording = await halfSend('');
    await recording.whenClosed(CLOSED_WITHIN_MS);
    expect(parseResponses(recording.text).map((r) => r.status)).toEqual([408]);
  });

  it('closes an idle keep-alive connection after the announced keep-alive, once its request is answered', async () => {
    const recording = await halfSend('GET /health HTTP/1.1\r\nHost: chatsdk\r\n\r\n');
    await recording.whenClosed(CLOSED_WITHIN_MS);
    const [answer] = parseResponses(recording.text);
    expect(answer?.status).toBe(200);
    // Node announces whole seconds; clients close their pooled connection before it.
    expect(answer?.headers['keep-alive']).toBe(`timeout=${Math.floor(TIMEOUTS.keepAliveMs / 1000)}`);
  });

  it('still serves a request whose headers arrive slowly but within the limit, and keeps the connection for the next', async () => {
    const socket = await openSocket(baseUrl);
    const recording = record(socket);
    socket.write('GET /health HTTP/1.1\r\n');
    await sleep(TIMEOUTS.headersMs / 3);
    socket.write('Host: chatsdk\r\n\r\n');
    await sleep(TIMEOUTS.keepAliveMs / 3);
    socket.write('GET /health HTTP/1.1\r\nHost: chatsdk\r\n\r\n');
    await recording.whenClosed(CLOSED_WITHIN_MS);
    expect(parseResponses(recording.text).map((r) => r.status)).toEqual([200, 200]);
  });

  it('leaves a WebSocket connection open far past every HTTP timeout', async () => {
    const { wsToken } = await issueTokens(baseUrl, apiKey, { userId: 'long-lived' });
    const client: Centrifuge = realtimeClientAt(baseUrl, wsToken);
    client.connect();
    await next(client, 'connected');
    // A cut socket shows as a reconnect ('connecting') or a disconnect, whichever the client decides.
    const disconnects: unknown[] = [];
    client.on('connecting', (ctx) => disconnects.push(ctx));
    client.on('disconnected', (ctx) => disconnects.push(ctx));
    try {
      await sleep(TIMEOUTS.idleMs * 3);
      expect(disconnects).toEqual([]);
      expect(client.state).toBe('connected');
      // The same connection still answers: an rpc round trip on it.
      await expect(client.rpc('no-such-method', {})).rejects.toMatchObject({ code: 104 });
      expect(disconnects).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('runs with the documented limits when given none', async () => {
    const t = await startTestServer('sqlite');
    try {
      // Node keeps the header limit it was given as a property its types do not declare.
      const http = t.server.app.server as typeof t.server.app.server & { maxHeaderSize?: number };
      expect({
        headersTimeout: http.headersTimeout,
        requestTimeout: http.requestTimeout,
        keepAliveTimeout: http.keepAliveTimeout,
        timeout: http.timeout,
        maxHeaderSize: http.maxHeaderSize,
      }).toEqual({ headersTimeout: 10_000, requestTimeout: 600_000, keepAliveTimeout: 72_000, timeout: 30_000, maxHeaderSize: 16 * 1024 });
      expect(DEFAULT_HTTP_TIMEOUTS).toMatchObject({ headersMs: 10_000, requestMs: 600_000, idleMs: 30_000, keepAliveMs: 72_000 });
    } finally {
      await t.close();
    }
  });
});
