import type { LookupAddress, LookupOptions } from 'node:dns';
import { type Agent, type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { OutboundError } from './errors.js';
import type { CheckedAddress } from './resolve.js';

/** One hop: a request to one URL, connected only to addresses the guard has judged. */
export interface Hop {
  url: URL;
  addresses: CheckedAddress[];
  method: string;
  headers: OutgoingHttpHeaders;
  body: Uint8Array | undefined;
  signal: AbortSignal;
  /**
   * Kept-alive connections to exactly `addresses` for this URL's host:port
   * (see `ConnectionPool`); without one, the hop has a connection of its own.
   */
  agent?: Agent;
}

/** Errors of a kept connection the other side closed just as it was reused: the request never reached it whole. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * A `lookup` that answers with the judged addresses whatever name it is
 * asked: the socket connects to what was checked, never to a fresh answer
 * from DNS. With `all` (Node's happy eyeballs) it offers every one of them.
 */
function pinnedLookup(addresses: CheckedAddress[]) {
  return (
    _hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const first = addresses[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address'), { code: 'ENOTFOUND' }), '');
      return;
    }
    if (options.all) callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, first.address, first.family);
  };
}

/** Sends one request and resolves with the response's head; its body is left to the caller to read or drop. */
export async function sendHop(hop: Hop): Promise<IncomingMessage> {
  try {
    return await attempt(hop);
  } catch (error) {
    // A kept connection the server closed while idle fails at once on reuse: the same request once more on a fresh one.
    if (error instanceof StaleSocketError && !hop.signal.aborted) return attempt(hop);
    throw error instanceof StaleSocketError ? error.failure : error;
  }
}

/** A reused socket that was already closed by the other side, before any answer: safe to try once more. */
class StaleSocketError extends Error {
  constructor(readonly failure: OutboundError) {
    super(failure.message);
  }
}

function attempt(hop: Hop): Promise<IncomingMessage> {
  const { url } = hop;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send({
      protocol: url.protocol,
      hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: hop.method,
      headers: hop.headers,
      // A pooled socket only from the pool of this host:port and these judged addresses; else one of its own.
      agent: hop.agent ?? false,
      lookup: pinnedLookup(hop.addresses),
      signal: hop.signal,
    });
    request.once('response', resolve);
    request.once('error', (error: NodeJS.ErrnoException) => {
      if (hop.signal.aborted) return reject(hop.signal.reason instanceof Error ? hop.signal.reason : error);
      const failure = new OutboundError('network', `request to ${url.host} failed: ${error.message}`, { host: url.host, cause: error });
      reject(request.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '') ? new StaleSocketError(failure) : failure);
    });
    request.end(hop.body);
  });
}
