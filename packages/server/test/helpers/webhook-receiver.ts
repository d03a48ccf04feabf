import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookBody } from '@chatsdk/protocol';

/** One request the receiver got, as it came. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw body: the bytes that were signed. */
  raw: string;
  body: WebhookBody;
  /** The `webhook-id` header. */
  id: string;
  /** The request's path and query (tells apart webhooks that share this receiver). */
  path: string;
  /** The status the receiver answered with. */
  status: number;
  at: number;
}

/** Which requests a failure applies to (all by default). */
export type RequestFilter = (request: ReceivedWebhook) => boolean;

/** A real HTTP server on loopback standing in for a customer's webhook endpoint. */
export interface WebhookReceiver {
  url: string;
  port: number;
  /** `127.0.0.1:port`, for the outbound allowlist. */
  hostPort: string;
  /** Every request, failed ones included, in arrival order. */
  received: ReceivedWebhook[];
  /** Requests answered 2xx, in arrival order. */
  accepted(): ReceivedWebhook[];
  /** Answers the next `count` requests that `filter` matches with `status` (500) instead of 204. */
  failNext(count: number, status?: number, filter?: RequestFilter): void;
  /** Answers every request with `status` until `failNext`/`failAll` is called again (0 turns it off). */
  failAll(status: number): void;
  /** Holds each answer back this long (a slow endpoint). */
  delay(ms: number): void;
  /** The most requests it was answering at once. */
  maxConcurrent(): number;
  /** Resolves once `predicate` holds over `received`, or rejects after `timeoutMs` saying what arrived. */
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 that answers 204 to every request until told to fail. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const failures: Array<{ left: number; status: number; filter: RequestFilter }> = [];
  let failEvery = 0;
  let delayMs = 0;
  let active = 0;
  let mostActive = 0;
  const server = createServer((req, res) => {
    active += 1;
    mostActive = Math.max(mostActive, active);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedWebhook = {
        headers: req.headers,
        raw,
        body: JSON.parse(raw) as WebhookBody,
        id: String(req.headers['webhook-id']),
        path: req.url ?? '',
        status: 204,
        at: Date.now(),
      };
      const failure = failures.find((f) => f.left > 0 && f.filter(request));
      if (failure) {
        failure.left -= 1;
        request.status = failure.status;
      } else if (failEvery > 0) {
        request.status = failEvery;
      }
      received.push(request);
      const answer = () => {
        active -= 1;
        res.writeHead(request.status, { 'content-type': 'text/plain' });
        res.end(request.status < 300 ? '' : 'not now');
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    hostPort: `127.0.0.1:${port}`,
    received,
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    failNext(count, status = 500, filter = () => true) {
      failures.push({ left: count, status, filter });
    },
    failAll(status) {
      failEvery = status;
    },
    delay(ms) {
      delayMs = ms;
    },
    maxConcurrent: () => mostActive,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(`the receiver waited ${timeoutMs} ms; it got ${received.length} requests: ${received.map((r) => `${r.status} ${r.body.type}`).join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
