import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { call, issueTokens } from './helpers/http.js';
import { errorShapeProblems } from './helpers/openapi-sweep.js';
import { asReply, exchange, openSocket, parseResponses, record } from './helpers/raw-http.js';
import { startTestServer } from './helpers/server.js';

/** True once nothing listens on the server's port any more (its close has begun). */
async function stopsListening(baseUrl: string, ms = 10_000): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect({ host: hostname, port: Number(port) });
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${baseUrl} still accepts connections after ${ms} ms`);
}

describe('the one error shape, even where Fastify or Node answer before any route', () => {
  it('answers a request that arrives while the server shuts down 503 service_unavailable in the error shape', async () => {
    const t = await startTestServer('sqlite');
    try {
      const { apiKey } = await t.createApp('Closing');
      const body = JSON.stringify({ userId: 'late-caller' });
      const half = body.length - 5;
      // A request in flight (its body half sent) keeps the connection open through the shutdown...
      const socket = await openSocket(t.baseUrl);
      const recording = record(socket);
      socket.write(
        `POST /api/tokens HTTP/1.1\r\nHost: chatsdk\r\nX-API-Key: ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
      );
      // ...wait until the in-flight request has passed the auth hook, so the close cannot overtake it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closing = t.server.close();
      await stopsListening(t.baseUrl);
      // ...so a request pipelined behind it reaches a server that is closing.
      socket.write(`${body.slice(half)}GET /health HTTP/1.1\r\nHost: chatsdk\r\n\r\n`);
      await recording.whenClosed(10_000);
      await closing;
      const [first, second] = parseResponses(recording.text);
      expect(first?.status, recording.text).toBe(200);
      expect(second?.status, recording.text).toBe(503);
      if (!second) return;
      expect(errorShapeProblems(asReply(second), ['service_unavailable'])).toEqual([]);
      expect(second.headers.connection).toBe('close');
    } finally {
      await t.storage.destroy();
    }
  });

  it("answers Node's own parse errors (bad request line, bad framing, oversized headers) in the error shape", async () => {
    const t = await startTestServer('sqlite');
    try {
      const cases = [
        { what: 'a garbage request line', raw: 'THIS IS NOT HTTP\r\n\r\n', status: 400, code: 'malformed_request' },
        { what: 'a non-numeric Content-Length', raw: 'POST /api/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', status: 400, code: 'malformed_request' },
        { what: 'a header line without a colon', raw: 'GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n', status: 400, code: 'malformed_request' },
        { what: 'headers past 16 KiB', raw: `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, status: 431, code: 'headers_too_large' },
      ] as const;
      for (const c of cases) {
        const [response] = parseResponses(await exchange(t.baseUrl, c.raw));
        expect(response?.status, c.what).toBe(c.status);
        if (!response) continue;
        expect(errorShapeProblems(asReply(response), [c.code]), c.what).toEqual([]);
        expect(response.headers['x-content-type-options'], c.what).toBe('nosniff');
      }
      // The server is still there for well-formed requests.
      expect((await call(t.baseUrl, '/health')).status).toBe(200);
      const { apiKey } = await t.createApp('After');
      await issueTokens(t.baseUrl, apiKey, { userId: 'still-works' });
    } finally {
      await t.close();
    }
  });
});
