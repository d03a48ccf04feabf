import type { ApiKey, AppResponse, NewApiKey } from '@chatsdk/protocol';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('app settings and API keys on %s', (kind) => {
  let t: TestServer;
  let apiKey: string;
  let appId: string;

  beforeAll(async () => {
    t = await startTestServer(kind);
    const created = await t.createApp('Keys');
    apiKey = created.apiKey;
    appId = created.app.id;
  });
  afterAll(() => t.close());

  const works = async (key: string) => (await call(t.baseUrl, '/tokens', { apiKey: key, body: { userId: 'probe' } })).status === 200;

  it('stores only the SHA-256 of a key, and lists a hint of it', async () => {
    const made = await call<NewApiKey>(t.baseUrl, '/api/app/keys', { apiKey, method: 'POST' });
    expect(made.status).toBe(201);
    const { apiKey: secret, key } = made.body;
    expect(secret).toMatch(/^chatsdk_[A-Za-z0-9_-]{43}$/);
    expect(key.hint).toBe(`chatsdk_${secret.slice(8, 12)}…${secret.slice(-4)}`);

    const rows = await t.server.context.store.db.selectFrom('api_keys').selectAll().where('app_id', '=', appId).execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows.map((r) => r.key_hash)).toContain(createHash('sha256').update(secret).digest('hex'));

    const listed = await call<{ keys: ApiKey[] }>(t.baseUrl, '/api/app/keys', { apiKey });
    expect(listed.body.keys.map((k) => k.id)).toContain(key.id);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
  });

  it('rotation keeps the old key working through the overlap window, and both work', async () => {
    const made = await call<NewApiKey>(t.baseUrl, '/api/app/keys', { apiKey, method: 'POST' });
    const rotated = await call<NewApiKey>(t.baseUrl, `/api/app/keys/${made.body.key.id}/rotate`, {
      apiKey,
      method: 'POST',
      body: { overlapSeconds: 3600 },
    });
    expect(rotated.status).toBe(201);
    expect(await works(made.body.apiKey)).toBe(true);
    expect(await works(rotated.body.apiKey)).toBe(true);
    const listed = await call<{ keys: ApiKey[] }>(t.baseUrl, '/api/app/keys', { apiKey });
    const old = listed.body.keys.find((k) => k.id === made.body.key.id);
    const expiresIn = Date.parse(old?.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
  });

  it('after the overlap window only the new key works', async () => {
    const made = await call<NewApiKey>(t.baseUrl, '/api/app/keys', { apiKey, method: 'POST' });
    const rotated = await call<NewApiKey>(t.baseUrl, `/api/app/keys/${made.body.key.id}/rotate`, {
      apiKey,
      method: 'POST',
      body: { overlapSeconds: 1 },
    });
    expect(await works(made.body.apiKey)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expectError(await call(t.baseUrl, '/tokens', { apiKey: made.body.apiKey, body: { userId: 'x' } }), 'invalid_api_key', 401);
    expect(await works(rotated.body.apiKey)).toBe(true);
    // A key past its window cannot be rotated again.
    expectError(await call(t.baseUrl, `/api/app/keys/${made.body.key.id}/rotate`, { apiKey, method: 'POST' }), 'api_key_not_found', 404);
  });

  it('a key cannot be revoked or rotated through another app', async () => {
    const other = await t.createApp('Other');
    const mine = await call<NewApiKey>(t.baseUrl, '/api/app/keys', { apiKey, method: 'POST' });
    expectError(await call(t.baseUrl, `/api/app/keys/${mine.body.key.id}`, { apiKey: other.apiKey, method: 'DELETE' }), 'api_key_not_found', 404);
    expectError(await call(t.baseUrl, `/api/app/keys/${mine.body.key.id}/rotate`, { apiKey: other.apiKey, method: 'POST' }), 'api_key_not_found', 404);
    expect(await works(mine.body.apiKey)).toBe(true);
  });

  it('a user token cannot manage the app', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'nosy' });
    expectError(await call(t.baseUrl, '/api/app', { token }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/app/keys', { token, method: 'POST' }), 'forbidden', 403);
  });

  it('returns and updates settings, never the signing secret', async () => {
    const got = await call<AppResponse>(t.baseUrl, '/api/app', { apiKey });
    expect(got.body.app).toMatchObject({ id: appId, name: 'Keys', tokenTtlSeconds: 86400, allowedOrigins: [] });
    expect(JSON.stringify(got.body)).not.toMatch(/secret/i);
    const patched = await call<AppResponse>(t.baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { name: 'Renamed' } });
    expect(patched.body.app.name).toBe('Renamed');
    expectError(await call(t.baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { allowedOrigins: ['not a url'] } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { tokenTtlSeconds: 5 } }), 'validation_failed', 400);
  });

  it('enforces allowed origins on user requests, not on the backend', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'browser' });
    await call(t.baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { allowedOrigins: ['https://chat.example.com'] } });
    expect((await call(t.baseUrl, '/api/users/me', { token, headers: { origin: 'https://chat.example.com' } })).status).toBe(200);
    expectError(await call(t.baseUrl, '/api/users/me', { token, headers: { origin: 'https://evil.example' } }), 'origin_not_allowed', 403);
    // No Origin header: a native app or a server.
    expect((await call(t.baseUrl, '/api/users/me', { token })).status).toBe(200);
    await call(t.baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { allowedOrigins: [] } });
    expect((await call(t.baseUrl, '/api/users/me', { token, headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });

  it('does not let browsers send X-API-Key cross-origin', async () => {
    const preflight = await fetch(`${t.baseUrl}/tokens`, {
      method: 'OPTIONS',
      headers: { origin: 'https://chat.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' },
    });
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    expect(allowed).toContain('authorization');
    expect(allowed).not.toContain('x-api-key');
  });
});
