import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { refusedRange } from './addresses.js';
import { parseAllowHost, urlHostKey } from './allow-hosts.js';
import { type Overflow, readBody } from './body.js';
import { createConnectionPool } from './connection-pool.js';
import { OutboundError } from './errors.js';
import { sendHop } from './request.js';
import { resolveHost } from './resolve.js';

/** Defaults of every request: what DESIGN §7 calls the caps. */
export const OUTBOUND_DEFAULTS = { timeoutMs: 5000, maxBytes: 1024 * 1024, maxRedirects: 3 } as const;

/** How a guard decides, fixed when it is built: the operator's part. */
export interface OutboundPolicy {
  /**
   * `host:port` entries let through whatever they resolve to (loopback, a
   * private network): `CHATSDK_OUTBOUND_ALLOW_HOSTS`. Only the exact host and
   * port: `localhost:8080` does not let `127.0.0.1:8080` or `localhost:8081` through.
   */
  allowHosts?: readonly string[];
  /** Refuse every host not on `allowHosts`, public or not (tests; deployments whose egress is a known list). */
  allowListedOnly?: boolean;
  /** DNS servers (`ip` or `ip:port`) to resolve names with instead of the system's resolver. */
  dnsServers?: readonly string[];
  /** Sent when a request names none. */
  userAgent?: string;
}

/** One outbound request: everything but the URL is optional. */
export interface OutboundRequest {
  /** GET by default. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The `Accept` header. */
  accept?: string;
  /** Media types to read (`text/html`); a response of another type is refused (`content_type`) before its body is read. */
  contentTypes?: readonly string[];
  /** The whole exchange, DNS, redirects and body included (default 5 s). */
  timeoutMs?: number;
  /** The body after decompression (default 1 MiB). */
  maxBytes?: number;
  /** `refuse` (default): a larger body is a `too_large` error; `truncate`: the first `maxBytes` bytes, `truncated: true`. */
  overflow?: Overflow;
  /** Redirects followed, each judged like the first URL (default 3; 0 refuses any). */
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** A completed exchange. Any status is an answer: a 404 or a 500 is the caller's to judge. */
export interface OutboundResponse {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The media type, lowercased, without parameters. */
  contentType: string | undefined;
  body: Buffer;
  truncated: boolean;
}

/** The one way the server fetches a URL that someone else chose. */
export interface OutboundGuard {
  /** Fetches `url` under the guard's policy; rejects with an `OutboundError` whose `reason` says why it did not complete. */
  fetch(url: string | URL, request?: OutboundRequest): Promise<OutboundResponse>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Headers that carry a credential: a redirect to another origin does not take them along. */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];

function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function parseUrl(url: string | URL, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new OutboundError('bad_url', 'not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OutboundError('scheme', `scheme ${parsed.protocol} is not http or https`, { host: parsed.host });
  }
  if (parsed.hostname === '') throw new OutboundError('bad_url', 'the URL names no host');
  return parsed;
}

/** Builds the guard every outbound request of the server goes through (link previews now; webhooks and push next). */
export function createOutboundGuard(policy: OutboundPolicy = {}): OutboundGuard {
  const allowed = new Set((policy.allowHosts ?? []).map(parseAllowHost));
  const userAgent = policy.userAgent ?? 'ChatSDK';
  // Connections are kept per judged address set, and every request is judged before it picks one.
  const pool = createConnectionPool();

  /** Judges one hop's URL and returns the addresses it may connect to. */
  async function judge(url: URL, signal: AbortSignal) {
    const listed = allowed.has(urlHostKey(url));
    if (policy.allowListedOnly && !listed) throw new OutboundError('not_allowed', `${url.host} is not on the outbound allowlist`, { host: url.host });
    const addresses = await resolveHost(url.hostname, policy.dnsServers, signal);
    if (listed) return addresses;
    // One refused address refuses the name: connecting to "the other one" would still let a name point inside.
    for (const { address } of addresses) {
      const range = refusedRange(address);
      if (range) throw new OutboundError('refused_address', `${url.host} is a ${range} address`, { host: url.host, range });
    }
    return addresses;
  }

  async function exchange(first: URL, request: OutboundRequest, signal: AbortSignal): Promise<OutboundResponse> {
    const maxRedirects = request.maxRedirects ?? OUTBOUND_DEFAULTS.maxRedirects;
    const maxBytes = request.maxBytes ?? OUTBOUND_DEFAULTS.maxBytes;
    let url = first;
    let method = (request.method ?? 'GET').toUpperCase();
    let body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    const headers: OutgoingHttpHeaders = { 'user-agent': userAgent, ...lowercased(request.headers) };
    if (request.accept !== undefined) headers.accept = request.accept;
    // The guard decodes bodies to count them, so it alone says which codings it takes.
    headers['accept-encoding'] = 'gzip, deflate, br';

    for (let redirects = 0; ; redirects++) {
      const addresses = await judge(url, signal);
      const hopHeaders = body === undefined ? headers : { ...headers, 'content-length': body.length };
      const response = await sendHop({ url, addresses, method, headers: hopHeaders, body, signal, agent: pool.agentFor(url, addresses) });
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode ?? 0)) return finish(url, response, request, maxBytes);
      response.destroy();
      if (location === undefined) throw new OutboundError('redirects', `a ${response.statusCode} without Location`, { host: url.host });
      if (redirects >= maxRedirects) throw new OutboundError('redirects', `more than ${maxRedirects} redirects`, { host: url.host });
      const next = parseUrl(location, url);
      next.hash = '';
      if (next.origin !== url.origin) for (const name of CREDENTIALS) delete headers[name];
      // As browsers do: 303 always, and 301/302 after a POST, continue as a GET without the body.
      if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      url = next;
    }
  }

  return {
    async fetch(target, request = {}) {
      const url = parseUrl(target);
      url.hash = '';
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new OutboundError('timeout', `no complete answer within ${request.timeoutMs ?? OUTBOUND_DEFAULTS.timeoutMs} ms`, { host: url.host })),
        request.timeoutMs ?? OUTBOUND_DEFAULTS.timeoutMs,
      );
      const stop = () => deadline.abort(new OutboundError('aborted', 'the request was aborted', { host: url.host }));
      if (request.signal?.aborted) stop();
      request.signal?.addEventListener('abort', stop, { once: true });
      try {
        return await exchange(url, request, deadline.signal);
      } catch (error) {
        // Whatever broke once the deadline passed (a socket, a stream) broke because of it.
        if (deadline.signal.aborted && deadline.signal.reason instanceof OutboundError) throw deadline.signal.reason;
        throw error;
      } finally {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', stop);
      }
    },
  };
}

/** Headers the guard sets itself: the host it connects to, the codings it decodes, the length of the body it sends. */
const OWN_HEADERS = new Set(['host', 'accept-encoding', 'content-length', 'transfer-encoding', 'connection']);

function lowercased(headers: Record<string, string> | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (!OWN_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = value;
  return out;
}

/** The final answer: its type checked, its body read under the cap. */
async function finish(url: URL, response: IncomingMessage, request: OutboundRequest, maxBytes: number): Promise<OutboundResponse> {
  const contentType = mediaType(response.headers['content-type']);
  if (request.contentTypes && !(contentType && request.contentTypes.includes(contentType))) {
    response.destroy();
    throw new OutboundError('content_type', `${contentType ?? 'no content type'} is not one of ${request.contentTypes.join(', ')}`, { host: url.host });
  }
  const declared = Number(response.headers['content-length']);
  if ((request.overflow ?? 'refuse') === 'refuse' && Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new OutboundError('too_large', `declared body of ${declared} bytes, over ${maxBytes}`, { host: url.host });
  }
  const { body, truncated } = await readBody(response, maxBytes, request.overflow ?? 'refuse', url.host);
  return { status: response.statusCode ?? 0, url: url.href, headers: response.headers, contentType, body, truncated };
}
