import type { CreateTokenResponse, ErrorBody } from '@chatsdk/protocol';
import { expect } from 'vitest';

/** A response with its JSON body parsed (undefined when there is none). */
export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  /** An object is sent as JSON; a string is sent as it is (for malformed bodies). */
  body?: unknown;
  apiKey?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** Sends one request over HTTP to a test server. */
export async function call<T = unknown>(baseUrl: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(baseUrl + path, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

/** Asserts the one error shape with the expected code and status. */
export function expectError(reply: Reply, code: string, status: number): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  const body = reply.body as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.status).toBe(status);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toBe(reply.headers.get('x-request-id'));
}

/** `POST /tokens` for a user, asserting success. */
export async function issueTokens(
  baseUrl: string,
  apiKey: string,
  body: Record<string, unknown>,
): Promise<CreateTokenResponse> {
  const reply = await call<CreateTokenResponse>(baseUrl, '/tokens', { apiKey, body });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}
