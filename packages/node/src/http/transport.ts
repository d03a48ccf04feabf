import { ChatSDKError, ChatSDKNetworkError, isErrorBody } from '../errors.js';
import { isRetriedStatus, retryDelay } from './retry.js';

/** The HTTP methods the API uses. */
export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A query string's values; `undefined` ones are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** One call to the API. */
export interface RequestSpec {
  method: Method;
  /** The path under `apiUrl`, its segments already encoded (see `segment`). */
  path: string;
  query?: Query | undefined;
  body?: unknown;
  /**
   * The call may be carried out twice with the effect of once, so it is
   * retried on network errors and 502/503/504. By default GET, PUT and
   * DELETE are; a POST says so itself (an upsert, a send with its own id).
   */
  idempotent?: boolean;
}

/** What the transport needs of `fetch`: the global one, or a test's. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** How the transport reaches the server. */
export interface TransportOptions {
  apiUrl: string;
  apiKey: string;
  /** Per attempt, from sending to the last byte of the answer. */
  timeoutMs: number;
  /** Attempts after the first, for idempotent calls only. */
  retries: number;
  fetch: FetchLike;
}

/** Encodes one path segment (an id), so `a/b` or `?` in an id cannot change the route. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends calls with the API key, reads the answers, and retries the calls
 * that are safe to retry. The one place that speaks HTTP.
 */
export class Transport {
  private readonly base: string;

  constructor(private readonly options: TransportOptions) {
    this.base = options.apiUrl.replace(/\/+$/, '');
  }

  /** Sends `spec` and resolves with the answer's JSON (`undefined` for 204), or throws a `ChatSDKError`. */
  async request<T>(spec: RequestSpec): Promise<T> {
    const idempotent = spec.idempotent ?? (spec.method === 'GET' || spec.method === 'PUT' || spec.method === 'DELETE');
    const maxAttempts = idempotent ? 1 + Math.max(0, this.options.retries) : 1;
    const url = this.urlOf(spec);
    const init = this.initOf(spec);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts;
      let response: Response;
      let text: string;
      try {
        // One timer covers the headers and the body: a server that stalls mid-answer is a timeout too.
        response = await this.options.fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
        if (!last && isRetriedStatus(response.status)) {
          await response.body?.cancel();
          await sleep(retryDelay(attempt, response.headers.get('retry-after')));
          continue;
        }
        text = await response.text();
      } catch (error) {
        if (!last) {
          await sleep(retryDelay(attempt, null));
          continue;
        }
        throw networkError(error, spec, attempt, this.options.timeoutMs);
      }
      return readAnswer<T>(response, text, attempt);
    }
  }

  private urlOf(spec: RequestSpec): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const query = params.size > 0 ? `?${params.toString()}` : '';
    return `${this.base}${spec.path}${query}`;
  }

  private initOf(spec: RequestSpec): RequestInit {
    const headers: Record<string, string> = { 'X-API-Key': this.options.apiKey, Accept: 'application/json' };
    if (spec.body === undefined) return { method: spec.method, headers };
    headers['Content-Type'] = 'application/json';
    return { method: spec.method, headers, body: JSON.stringify(spec.body) };
  }
}

function networkError(error: unknown, spec: RequestSpec, attempts: number, timeoutMs: number): ChatSDKNetworkError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const what = `${spec.method} ${spec.path}`;
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  return timedOut
    ? new ChatSDKNetworkError('timeout', `${what}: no answer within ${timeoutMs} ms${tries}`, attempts, error)
    : new ChatSDKNetworkError('network_error', `${what}: ChatSDK could not be reached${tries}: ${causeText(error)}`, attempts, error);
}

/** The deepest message of an error chain: fetch's own is only "fetch failed", its cause says ECONNREFUSED. */
function causeText(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function readAnswer<T>(response: Response, text: string, attempts: number): T {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ChatSDKError('unexpected_response', `ChatSDK answered ${response.status} with a body that is not JSON`, {
        status: response.status,
        requestId,
        attempts,
      });
    }
  }
  if (response.ok) return body as T;
  if (isErrorBody(body)) throw ChatSDKError.fromBody(body, response.status, attempts, requestId);
  throw new ChatSDKError('unexpected_response', `ChatSDK answered ${response.status} without its error shape`, {
    status: response.status,
    requestId,
    attempts,
  });
}
