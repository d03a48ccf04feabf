import type { CreateTokenResponse, UserResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** The product guide's contract for POST /tokens, on every store. */
describe.each(storeKinds)('POST /tokens on %s', (kind) => {
  let t: TestServer;
  let apiKey: string;

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ apiKey } = await t.createApp('Guide'));
  });
  afterAll(() => t.close());

  it('returns both tokens, the user and expiresIn 86400 for a valid key', async () => {
    const reply = await call<CreateTokenResponse>(t.baseUrl, '/tokens', {
      apiKey,
      body: { userId: 'alice', name: 'Alice', image: 'https://example.com/a.png', custom: { team: 'red' } },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.expiresIn).toBe(86400);
    expect(reply.body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(reply.body.wsToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(reply.body.token).not.toBe(reply.body.wsToken);
    expect(reply.body.user).toMatchObject({ id: 'alice', name: 'Alice', image: 'https://example.com/a.png', custom: { team: 'red' } });
  });

  it('is also reachable as /api/tokens', async () => {
    const reply = await call<CreateTokenResponse>(t.baseUrl, '/api/tokens', { apiKey, body: { userId: 'api-path' } });
    expect(reply.status).toBe(200);
    expect(reply.body.user.id).toBe('api-path');
  });

  it('answers 401 for a missing, wrong or revoked key', async () => {
    expectError(await call(t.baseUrl, '/tokens', { body: { userId: 'x' } }), 'unauthorized', 401);
    expectError(await call(t.baseUrl, '/tokens', { apiKey: 'chatsdk_wrong', body: { userId: 'x' } }), 'invalid_api_key', 401);
    const wellFormedButUnknown = `chatsdk_${'A'.repeat(43)}`;
    expectError(await call(t.baseUrl, '/tokens', { apiKey: wellFormedButUnknown, body: { userId: 'x' } }), 'invalid_api_key', 401);

    const created = await call<{ key: { id: string }; apiKey: string }>(t.baseUrl, '/api/app/keys', { apiKey, method: 'POST' });
    expect(created.status).toBe(201);
    await issueTokens(t.baseUrl, created.body.apiKey, { userId: 'before-revoke' });
    const revoked = await call(t.baseUrl, `/api/app/keys/${created.body.key.id}`, { apiKey, method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expectError(await call(t.baseUrl, '/tokens', { apiKey: created.body.apiKey, body: { userId: 'x' } }), 'invalid_api_key', 401);
  });

  it('answers 400 for a missing, non-string, malformed or oversized userId and oversized fields', async () => {
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: {} }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: { userId: 42 } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: { userId: ['alice'] } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: { userId: '' } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: { userId: 'has space' } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: { userId: 'x'.repeat(129) } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: { userId: 'ok', name: 'n'.repeat(201) } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: { userId: 'ok', custom: { blob: 'x'.repeat(6000) } } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/tokens', { apiKey, body: { userId: 'ok', role: 'superuser' } }), 'validation_failed', 400);
    // None of the refused calls wrote anything.
    expectError(await call(t.baseUrl, '/api/users/ok', { apiKey }), 'user_not_found', 404);
  });

  it('upserts: the same userId twice is one user with the new name and custom data', async () => {
    await issueTokens(t.baseUrl, apiKey, { userId: 'bob', name: 'Bob', custom: { plan: 'free' }, role: 'moderator' });
    const second = await issueTokens(t.baseUrl, apiKey, { userId: 'bob', name: 'Robert', custom: { plan: 'pro' } });
    expect(second.user).toMatchObject({ id: 'bob', name: 'Robert', custom: { plan: 'pro' }, role: 'moderator' });
    const listed = await call<{ users: Array<{ id: string; name: string }> }>(t.baseUrl, '/api/users?ids=bob', { apiKey });
    expect(listed.body.users).toHaveLength(1);
    expect(listed.body.users[0]?.name).toBe('Robert');
    // Omitted fields keep their value.
    const third = await issueTokens(t.baseUrl, apiKey, { userId: 'bob' });
    expect(third.user).toMatchObject({ name: 'Robert', custom: { plan: 'pro' } });
  });

  it('honours a shorter expiresIn and never a longer one', async () => {
    expect((await issueTokens(t.baseUrl, apiKey, { userId: 'short', expiresIn: 600 })).expiresIn).toBe(600);
    const long = await call(t.baseUrl, '/tokens', { apiKey, body: { userId: 'long', expiresIn: 40 * 86400 } });
    expectError(long, 'validation_failed', 400);
    await call(t.baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { tokenTtlSeconds: 3600 } });
    expect((await issueTokens(t.baseUrl, apiKey, { userId: 'capped', expiresIn: 7200 })).expiresIn).toBe(3600);
    await call(t.baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { tokenTtlSeconds: 86400 } });
  });

  it('token works on REST; wsToken on REST is 401; expired token is 401', async () => {
    const { token, wsToken } = await issueTokens(t.baseUrl, apiKey, { userId: 'carol', name: 'Carol' });
    const me = await call<UserResponse>(t.baseUrl, '/api/users/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: 'carol', name: 'Carol' });
    expectError(await call(t.baseUrl, '/api/users/me', { token: wsToken }), 'wrong_token_kind', 401);

    const { app } = await t.createApp('Expiry');
    await t.server.context.store.db
      .insertInto('users')
      .values({ app_id: app.id, id: 'old', name: null, image: null, custom: '{}', role: 'user', created_at: 0, updated_at: 0, deleted_at: null, tokens_valid_after: null })
      .execute();
    const expired = t.server.context.tokens.issue(app, 'old', 60, Date.now() - 61_000);
    expectError(await call(t.baseUrl, '/api/users/me', { token: expired.token }), 'token_expired', 401);
  });

  it('rejects tampered, foreign-signed and malformed tokens', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'dave' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'alice' })).toString('base64url');
    expectError(await call(t.baseUrl, '/api/users/me', { token: `${header}.${forged}.${signature}` }), 'invalid_token', 401);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expectError(await call(t.baseUrl, '/api/users/me', { token: `${none}.${payload}.` }), 'invalid_token', 401);
    expectError(await call(t.baseUrl, '/api/users/me', { token: 'not-a-jwt' }), 'invalid_token', 401);
    expectError(await call(t.baseUrl, '/api/users/me', { headers: { authorization: `Basic ${token}` } }), 'invalid_token', 401);
  });

  it("a token of app A cannot read a user of app B, nor can A's key", async () => {
    const b = await t.createApp('Other');
    await issueTokens(t.baseUrl, b.apiKey, { userId: 'only-in-b', name: 'B' });
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'in-a' });
    expectError(await call(t.baseUrl, '/api/users/only-in-b', { token }), 'user_not_found', 404);
    expectError(await call(t.baseUrl, '/api/users/only-in-b', { apiKey }), 'user_not_found', 404);
    expectError(await call(t.baseUrl, '/api/users/only-in-b', { apiKey, method: 'DELETE' }), 'user_not_found', 404);
    expect((await call(t.baseUrl, '/api/users/only-in-b', { apiKey: b.apiKey })).status).toBe(200);
  });

  it('revoke-tokens makes older tokens fail and newer ones work', async () => {
    const old = await issueTokens(t.baseUrl, apiKey, { userId: 'erin' });
    expect((await call(t.baseUrl, '/api/users/me', { token: old.token })).status).toBe(200);
    const revoked = await call(t.baseUrl, '/api/users/erin/revoke-tokens', { apiKey, method: 'POST' });
    expect(revoked.status).toBe(200);
    expectError(await call(t.baseUrl, '/api/users/me', { token: old.token }), 'token_revoked', 401);
    const fresh = await issueTokens(t.baseUrl, apiKey, { userId: 'erin' });
    expect((await call(t.baseUrl, '/api/users/me', { token: fresh.token })).status).toBe(200);
  });

  it('a user token cannot call POST /tokens', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'frank' });
    expectError(await call(t.baseUrl, '/tokens', { token, body: { userId: 'frank', role: 'admin' } }), 'forbidden', 403);
  });
});
