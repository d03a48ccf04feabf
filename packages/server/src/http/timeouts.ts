import type { ServerOptions } from 'node:http';
import { LIMITS } from '@chatsdk/protocol';
import type { FastifyServerOptions } from 'fastify';

/**
 * How long a connection may take to deliver a request, and stay idle. A
 * client that opens connections and sends nothing, or half a request, must
 * not be able to hold them: each costs a socket and memory.
 */
export interface HttpTimeouts {
  /** The request line and headers must all arrive within this; then 408 `request_timeout` and the socket closes. */
  headersMs: number;
  /** The whole request, body included, within this (at least `headersMs`); then 408 and close. */
  requestMs: number;
  /** A socket with no bytes in either direction for this long, before or during a request, is closed. */
  idleMs: number;
  /** A keep-alive connection waiting for its next request is closed after this (announced in `Keep-Alive: timeout=`). */
  keepAliveMs: number;
  /** How often Node looks for requests past `headersMs` or `requestMs`: they may live up to this much longer. */
  checkIntervalMs: number;
}

/**
 * Headers get 10 s (a slow mobile link sends them in well under one), the
 * whole request 10 minutes (an upload of 25 MiB, the default limit, at 45
 * KB/s; JSON bodies are at most 1 MiB and take seconds), an idle socket 30 s:
 * a body that stops flowing is cut after 30 s whatever the request's total.
 * Node has no per-route total, so the uploads' need sets it for all. Keep-alive
 * stays at Fastify's 72 s, longer than the 60 s idle timeout of common load
 * balancers, so the balancer, not this server, closes a pooled connection:
 * the other way round it may send a request on a socket we are closing.
 * WebSocket connections are not affected: `ws` clears the socket's timeout
 * once it takes a socket over, and the gateway keeps those alive itself.
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 600_000,
  idleMs: 30_000,
  keepAliveMs: 72_000,
  checkIntervalMs: 1_000,
};

/** The Fastify (and, through `http`, Node) server options that enforce the timeouts and the header size limit. */
export function serverTimeoutOptions(
  given: Partial<HttpTimeouts> = {},
): Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'> & { http: ServerOptions } {
  const t = { ...DEFAULT_HTTP_TIMEOUTS, ...given };
  for (const [name, value] of Object.entries(t)) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`HTTP timeout ${name} must be a positive number of milliseconds`);
  }
  // Node refuses a headers timeout longer than the request's; the request's then bounds both.
  const headersMs = Math.min(t.headersMs, t.requestMs);
  return {
    connectionTimeout: t.idleMs,
    keepAliveTimeout: t.keepAliveMs,
    requestTimeout: t.requestMs,
    http: {
      headersTimeout: headersMs,
      requestTimeout: t.requestMs,
      keepAliveTimeout: t.keepAliveMs,
      connectionsCheckingInterval: t.checkIntervalMs,
      maxHeaderSize: LIMITS.headerBytes,
    },
  };
}
