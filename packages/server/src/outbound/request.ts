import type { LookupAddress, LookupOptions } from 'node:dns';
import { type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
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
}

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
export function sendHop(hop: Hop): Promise<IncomingMessage> {
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
      // One connection per hop: a pooled socket could carry a request to another host's judged address.
      agent: false,
      lookup: pinnedLookup(hop.addresses),
      signal: hop.signal,
    });
    request.once('response', resolve);
    request.once('error', (error) => {
      if (hop.signal.aborted) reject(hop.signal.reason instanceof Error ? hop.signal.reason : error);
      else reject(new OutboundError('network', `request to ${url.host} failed: ${error.message}`, { host: url.host, cause: error }));
    });
    request.end(hop.body);
  });
}
