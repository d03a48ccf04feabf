import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BeforeSendHookSettings, BeforeSendRequest, UpdateAppResponse } from '@chatsdk/protocol';
import { expect } from 'vitest';
import { call } from './http.js';

/** One request the receiver got, as it came. */
export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  /** The raw body, exactly the bytes that were signed. */
  raw: string;
  body: BeforeSendRequest;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** When its connection closed: answered, or given up by the server. */
  closedAt?: number;
}

/** How the receiver answers one request: a status and a body (an object is sent as JSON), after an optional delay. */
export interface HookAnswer {
  status?: number;
  body?: unknown;
  delayMs?: number;
}

/** A local HTTP server standing in for a customer's before-send hook. */
export interface HookReceiver {
  url: string;
  /** `127.0.0.1:port`, for the outbound allowlist. */
  hostPort: string;
  received: ReceivedHook[];
  /** Sets how requests are answered from now on: `index` counts from 0 since the last `answer` call. */
  answer(answer: (request: ReceivedHook, index: number) => HookAnswer): void;
  close(): Promise<void>;
}

/** Starts a receiver on loopback that answers `{}` (allow) until told otherwise. */
export async function startHookReceiver(): Promise<HookReceiver> {
  const received: ReceivedHook[] = [];
  let answerer: (request: ReceivedHook, index: number) => HookAnswer = () => ({ body: {} });
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedHook = { headers: req.headers, raw, body: JSON.parse(raw) as BeforeSendRequest, at: Date.now() };
      received.push(request);
      res.on('close', () => {
        request.closedAt = Date.now();
      });
      const { status = 200, body = {}, delayMs = 0 } = answerer(request, count++);
      const send = () => {
        if (res.destroyed) return;
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/before-send`,
    hostPort: `127.0.0.1:${port}`,
    received,
    answer(next) {
      answerer = next;
      count = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Verifies a request as a receiver following Standard Webhooks would, written
 * from the specification rather than the server's code: HMAC-SHA256 keyed
 * with the base64 part of `whsec_…`, over `id.timestamp.body`, compared in
 * constant time with each `v1,` signature of the header.
 */
export function verifiesWith(secret: string, request: ReceivedHook): boolean {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const header = request.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof header !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.raw}`).digest();
  return header.split(' ').some((part) => {
    const [version, signature] = part.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Sets the app's before-send hook through `PATCH /api/app`; answers the secret when this call made one. */
export async function setBeforeSendHook(baseUrl: string, apiKey: string, settings: BeforeSendHookSettings): Promise<string | undefined> {
  const set = await call<UpdateAppResponse>(baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { beforeSendHook: settings } });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  return set.body.beforeSendHookSecret;
}
