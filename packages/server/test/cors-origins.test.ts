import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { errorReplyProblems } from './helpers/openapi-sweep.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const A = 'https://a.example';
const B = 'https://b.example';
const EVIL = 'https://evil.example';

/** A browser's preflight for a PATCH with a bearer token and a JSON body. */
const preflight = (t: TestServer, origin: string, path = '/api/users/me') =>
  fetch(`${t.baseUrl}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type' },
  });

/** No answer may combine a wildcard with credentials, or send credentials mode at all (tokens are not cookies). */
function expectNoWildcardOrCredentials(headers: Headers): void {
  expect(headers.get('access-control-allow-origin')).not.toBe('*');
  expect(headers.get('access-control-allow-credentials')).toBeNull();
}

describe.each(storeKinds)('CORS and allowed origins on %s', (kind) => {
  let t: TestServer;
  let keyA: string;
  let keyB: string;
  let alice: string;

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ apiKey: keyA } = await t.createApp('A'));
    ({ apiKey: keyB } = await t.createApp('B'));
    for (const [apiKey, origins] of [[keyA, [A]], [keyB, [B]]] as const) {
      expect((await call(t.baseUrl, '/api/app', { method: 'PATCH', apiKey, body: { allowedOrigins: origins } })).status).toBe(200);
    }
    ({ token: alice } = await issueTokens(t.baseUrl, keyA, { userId: 'cors-alice' }));
  });
  afterAll(() => t?.close());

  it('answers a preflight from an origin no app allows without allowing it', async () => {
    const reply = await preflight(t, EVIL);
    expect(reply.status).toBe(204);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    expect(reply.headers.get('vary')).toMatch(/origin/i);
  });

  it('allows a preflight from an origin some app allows: that origin only, the bearer header but never X-API-Key', async () => {
    const reply = await preflight(t, A);
    expect(reply.status).toBe(204);
    expect(reply.headers.get('access-control-allow-origin')).toBe(A);
    expect(reply.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(reply.headers.get('access-control-allow-headers')?.toLowerCase()).not.toContain('x-api-key');
    expect(reply.headers.get('access-control-allow-methods')).toContain('PATCH');
    expectNoWildcardOrCredentials(reply.headers);
    // A preflight carries the real request's query string, which is not the preflight's to validate.
    const withQuery = await preflight(t, A, '/api/users?limit=5&custom.team=red');
    expect(withQuery.status).toBe(204);
    expect(withQuery.headers.get('access-control-allow-origin')).toBe(A);
  });

  it("reflects a user's origin on their answers only when their own app allows it", async () => {
    const allowed = await call(t.baseUrl, '/api/users/me', { token: alice, headers: { origin: A } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(A);
    expect(allowed.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
    expectNoWildcardOrCredentials(allowed.headers);
    // B is allowed by another app, not by alice's: refused, and not readable from B.
    const other = await call(t.baseUrl, '/api/users/me', { token: alice, headers: { origin: B } });
    expectError(other, 'origin_not_allowed', 403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a page read a 401 where the origin is one some app allows (so the SDK can refresh), and nowhere else', async () => {
    const fromB = await call(t.baseUrl, '/api/users/me', { token: 'not-a-token', headers: { origin: B } });
    expectError(fromB, 'invalid_token', 401);
    expect(fromB.headers.get('access-control-allow-origin')).toBe(B);
    const fromEvil = await call(t.baseUrl, '/api/users/me', { token: 'not-a-token', headers: { origin: EVIL } });
    expectError(fromEvil, 'invalid_token', 401);
    expect(fromEvil.headers.get('access-control-allow-origin')).toBeNull();
    const health = await call(t.baseUrl, '/health', { headers: { origin: EVIL } });
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reflects the origin, never *, for an app that allows every origin', async () => {
    expect((await call(t.baseUrl, '/api/app', { method: 'PATCH', apiKey: keyA, body: { allowedOrigins: ['*'] } })).status).toBe(200);
    const reply = await call(t.baseUrl, '/api/users/me', { token: alice, headers: { origin: EVIL } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBe(EVIL);
    expectNoWildcardOrCredentials(reply.headers);
    expect((await preflight(t, EVIL)).headers.get('access-control-allow-origin')).toBe(EVIL);
    expect((await call(t.baseUrl, '/api/app', { method: 'PATCH', apiKey: keyA, body: { allowedOrigins: [A] } })).status).toBe(200);
    expect((await preflight(t, EVIL)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows every origin while some app restricts none', async () => {
    const { apiKey: keyOpen } = await t.createApp('Open');
    const reply = await preflight(t, EVIL);
    expect(reply.headers.get('access-control-allow-origin')).toBe(EVIL);
    const { token } = await issueTokens(t.baseUrl, keyOpen, { userId: 'open-user' });
    const open = await call(t.baseUrl, '/api/users/me', { token, headers: { origin: EVIL } });
    expect(open.headers.get('access-control-allow-origin')).toBe(EVIL);
    // Alice's app still restricts: its own answers are not readable from EVIL.
    const restricted = await call(t.baseUrl, '/api/users/me', { token: alice, headers: { origin: EVIL } });
    expectError(restricted, 'origin_not_allowed', 403);
    expect(restricted.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers an OPTIONS that is no preflight 404 in the error shape', async () => {
    const reply = await fetch(`${t.baseUrl}/api/users/me`, { method: 'OPTIONS' });
    const raw: Reply<unknown> & { text: string } = { status: reply.status, headers: reply.headers, body: undefined, text: await reply.text() };
    expect(errorReplyProblems(raw, ['not_found'])).toEqual([]);
  });
});
