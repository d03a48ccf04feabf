import type { AddressRange } from './addresses.js';

/**
 * Why an outbound request did not complete. Refusals (the guard's own
 * decisions) and failures (the network's or the remote's) alike, each a
 * stable word a caller can log, count or branch on.
 */
export type OutboundFailure =
  /** Not an absolute http(s) URL with a host. */
  | 'bad_url'
  /** A scheme other than http and https. */
  | 'scheme'
  /** The host is, or resolves to, an address that is not the public internet (`range` says which). */
  | 'refused_address'
  /** The guard allows only its allowlist, and the host:port is not on it. */
  | 'not_allowed'
  /** The name did not resolve (or resolved to nothing). */
  | 'dns'
  /** More redirects than allowed, or a redirect without a usable Location. */
  | 'redirects'
  /** The whole exchange took longer than its time cap. */
  | 'timeout'
  /** The body (after decompression) is larger than its size cap. */
  | 'too_large'
  /** The response's Content-Type is not one the caller accepts. */
  | 'content_type'
  /** A Content-Encoding the guard cannot decode, or a body that does not decode. */
  | 'encoding'
  /** The caller's signal aborted the request. */
  | 'aborted'
  /** The connection failed or broke (refused, reset, TLS). */
  | 'network';

/** An outbound request the guard refused or that failed; `reason` is the part to branch on. */
export class OutboundError extends Error {
  readonly reason: OutboundFailure;
  /** The host of the hop that failed, without path or query: safe to log. */
  readonly host: string | undefined;
  /** For `refused_address`: which kind of address it was. */
  readonly range: AddressRange | undefined;

  constructor(reason: OutboundFailure, message: string, details: { host?: string; range?: AddressRange; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OutboundError';
    this.reason = reason;
    this.host = details.host;
    this.range = details.range;
  }

  /** True for the guard's own refusals (the request was never sent), false for failures on the way. */
  get refused(): boolean {
    return this.reason === 'bad_url' || this.reason === 'scheme' || this.reason === 'refused_address' || this.reason === 'not_allowed';
  }

  /** The fields worth logging: no URL, so no path or query string with someone's token in it. */
  toLog(): { reason: OutboundFailure; host?: string; range?: AddressRange } {
    return { reason: this.reason, ...(this.host ? { host: this.host } : {}), ...(this.range ? { range: this.range } : {}) };
  }
}

/** A URL as it may be logged: origin and path, never the query string, fragment or credentials. */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
