import type { ErrorBody } from '@chatsdk/protocol';
import type { TokenManager } from '../auth/tokens.js';
import { ChatError } from '../errors.js';

/** A `fetch` as the SDK calls it (the global one, or an injected one for Node, React Native or tests). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Query values; undefined ones are left out. */
export type QueryValues = Record<string, string | number | boolean | undefined>;

/** One REST call. */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  query?: QueryValues;
  body?: unknown;
  signal?: AbortSignal;
}

/** Builds `path?query` with every value encoded. */
export function withQuery(path: string, query: QueryValues | undefined): string {
  if (!query) return path;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

/** A path segment: ids are encoded, never trusted to be URL-safe. */
export const seg = (id: string): string => encodeURIComponent(id);

/**
 * Sends REST calls with the current token. A 401 gets one token refresh
 * (shared with every other caller and the socket) and one retry; a 401 after
 * that is reported as `unauthorized`. Network failures are never answered
 * with a refresh: they are errors with code `network_error`.
 */
export class RequestManager {
  constructor(
    private readonly apiUrl: string,
    /** The `fetch` the client was given (uploads fall back to it where there is no XMLHttpRequest). */
    readonly fetchFn: FetchLike,
    private readonly tokens: TokenManager,
    private readonly onUnauthorized: (reason: string, error: ChatError) => void,
    /** How long a call may wait for its answer; an upload, how long it may go without progress. */
    readonly timeoutMs = 20_000,
  ) {}

  /** Calls the API and answers the parsed JSON body (undefined for 204). */
  request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.authorized((token) => this.send<T>(path, options, token));
  }

  /** The absolute URL of an API path. */
  url(path: string, query?: QueryValues): string {
    return this.apiUrl + withQuery(path, query);
  }

  /**
   * Runs `call` with the current token; a 401 gets one shared refresh and one
   * retry, and a 401 after that is reported. Uploads go through here too.
   */
  async authorized<T>(call: (token: string) => Promise<T>): Promise<T> {
    // A token known to be expired is renewed first rather than sent to be refused.
    if (this.tokens.renewable && this.tokens.isExpired()) await this.tokens.refresh('token_expired', this.tokens.token);
    const token = this.tokens.token;
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof ChatError) || error.status !== 401) throw error;
      if (!this.tokens.renewable) {
        this.onUnauthorized(error.code, error);
        throw error;
      }
      await this.tokens.refresh(error.code, token);
      try {
        return await call(this.tokens.token);
      } catch (retryError) {
        if (retryError instanceof ChatError && retryError.status === 401) this.onUnauthorized(retryError.code, retryError);
        throw retryError;
      }
    }
  }

  private async send<T>(path: string, options: RequestOptions, token: string): Promise<T> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const init: RequestInit = { method: options.method ?? (options.body === undefined ? 'GET' : 'POST'), headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const abort = () => timeout.abort();
    options.signal?.addEventListener('abort', abort);
    init.signal = timeout.signal;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(url, init);
      text = await response.text();
    } catch (cause) {
      if (options.signal?.aborted) throw new ChatError('client_closed', 'the request was aborted', 0, undefined, { cause });
      if (timeout.signal.aborted) throw new ChatError('timeout', `no answer within ${this.timeoutMs} ms`, 0, undefined, { cause });
      throw new ChatError('network_error', `the request did not reach the server: ${String(cause)}`, 0, undefined, { cause });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
    }
    return parseAnswer<T>(response.status, text, response.headers.get('x-request-id') ?? undefined, response.headers.get('retry-after'));
  }
}

/** The JSON body of a 2xx answer, or the `ChatError` of any other (the one error shape, else a generic one). */
export function parseAnswer<T>(status: number, text: string, requestId: string | undefined, retryAfter?: string | null): T {
  const ok = status >= 200 && status < 300;
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ChatError(ok ? 'invalid_response' : 'internal_error', `the server answered ${status} with a body that is not JSON`, status, requestId);
  }
  if (ok) return body as T;
  if (isErrorBody(body)) throw ChatError.fromBody(body, status, requestId, retryAfter);
  throw new ChatError(status >= 500 ? 'internal_error' : 'invalid_response', `the server answered ${status}`, status, requestId);
}

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string';
}
