import type { User, UserResponse, UsersPage, UsersResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('users on %s', (kind) => {
  let t: TestServer;
  let apiKey: string;

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ apiKey } = await t.createApp('Users'));
  });
  afterAll(() => t.close());

  async function listAll(query: string, auth: { apiKey?: string; token?: string } = { apiKey }): Promise<User[]> {
    const users: User[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const sep = query ? '&' : '';
      const reply: Awaited<ReturnType<typeof call<UsersPage>>> = await call<UsersPage>(
        t.baseUrl,
        `/api/users?${query}${cursor ? `${sep}cursor=${cursor}` : ''}`,
        auth,
      );
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      users.push(...reply.body.users);
      cursor = reply.body.next;
      if (!cursor) break;
    }
    return users;
  }

  it('GET and PATCH /api/users/me change only name and image', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'me-user', name: 'Me', custom: { tier: 'gold' }, role: 'moderator' });
    const patched = await call<UserResponse>(t.baseUrl, '/api/users/me', { token, method: 'PATCH', body: { name: 'New Me', image: 'https://x.test/me.png' } });
    expect(patched.status).toBe(200);
    expect(patched.body.user).toMatchObject({ id: 'me-user', name: 'New Me', image: 'https://x.test/me.png', custom: { tier: 'gold' }, role: 'moderator' });
    expectError(await call(t.baseUrl, '/api/users/me', { token, method: 'PATCH', body: { custom: { tier: 'free' } } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/users/me', { token, method: 'PATCH', body: { role: 'admin' } }), 'validation_failed', 400);
    const me = await call<UserResponse>(t.baseUrl, '/api/users/me', { token });
    expect(me.body.user).toMatchObject({ name: 'New Me', custom: { tier: 'gold' }, role: 'moderator' });
    // Clearing a field with null is allowed.
    const cleared = await call<UserResponse>(t.baseUrl, '/api/users/me', { token, method: 'PATCH', body: { image: null } });
    expect(cleared.body.user.image).toBeNull();
  });

  it('/api/users/me needs a user token, not the API key', async () => {
    expectError(await call(t.baseUrl, '/api/users/me', { apiKey }), 'forbidden', 403);
  });

  it('bulk upsert takes up to 100 users in one call and refuses 101 without writing any', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => ({ id: `bulk-${String(i).padStart(3, '0')}`, name: `Bulk ${i}`, custom: { batch: 1, even: i % 2 === 0 } }));
    const reply = await call<UsersResponse>(t.baseUrl, '/api/users', { apiKey, body: { users: hundred } });
    expect(reply.status).toBe(200);
    expect(reply.body.users).toHaveLength(100);
    expect(reply.body.users[42]).toMatchObject({ id: 'bulk-042', name: 'Bulk 42', custom: { batch: 1, even: true } });

    const tooMany = Array.from({ length: 101 }, (_, i) => ({ id: `over-${i}` }));
    expectError(await call(t.baseUrl, '/api/users', { apiKey, body: { users: tooMany } }), 'validation_failed', 400);
    expect(await listAll('q=over-')).toHaveLength(0);

    // One bad user in a batch refuses the whole batch: all or none.
    const mixed = [{ id: 'mixed-ok' }, { id: 'mixed-bad', custom: { blob: 'x'.repeat(6000) } }];
    expectError(await call(t.baseUrl, '/api/users', { apiKey, body: { users: mixed } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/users/mixed-ok', { apiKey }), 'user_not_found', 404);
  });

  it('a user token cannot upsert, delete or revoke', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'plain' });
    expectError(await call(t.baseUrl, '/api/users', { token, body: { users: [{ id: 'x' }] } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/users/plain', { token, method: 'DELETE' }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/users/plain/revoke-tokens', { token, method: 'POST' }), 'forbidden', 403);
  });

  it('lists by ids, by name or id prefix, by custom field, in keyset pages', async () => {
    const byIds = await call<UsersPage>(t.baseUrl, '/api/users?ids=bulk-001,bulk-002,missing', { apiKey });
    expect(byIds.body.users.map((u) => u.id)).toEqual(['bulk-001', 'bulk-002']);
    expect(byIds.body.next).toBeNull();

    const prefix = await listAll('q=bulk 1');
    expect(prefix.map((u) => u.name)).toEqual(['Bulk 1', ...Array.from({ length: 10 }, (_, i) => `Bulk ${10 + i}`)]);
    expect((await listAll('q=BULK-09')).map((u) => u.id)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk-09${i}`));
    // LIKE wildcards in q are literal.
    expect(await listAll('q=%25')).toHaveLength(0);
    expect(await listAll('q=bulk_0')).toHaveLength(0);

    const even = await listAll('custom.even=true&q=bulk');
    expect(even).toHaveLength(50);
    expect(even.every((u) => u.custom.even === true)).toBe(true);
    expect(await listAll('custom.batch=1&q=bulk')).toHaveLength(100);
    expect(await listAll('custom.batch=2')).toHaveLength(0);

    const firstPage = await call<UsersPage>(t.baseUrl, '/api/users?q=bulk&limit=30', { apiKey });
    expect(firstPage.body.users).toHaveLength(30);
    expect(firstPage.body.next).not.toBeNull();
    const everything = await listAll('q=bulk&limit=30');
    expect(everything).toHaveLength(100);
    expect(new Set(everything.map((u) => u.id)).size).toBe(100);
    expect(everything.map((u) => u.id)).toEqual([...everything.map((u) => u.id)].sort());

    expectError(await call(t.baseUrl, '/api/users?cursor=!!!', { apiKey }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/users?limit=0', { apiKey }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/users?limit=101', { apiKey }), 'validation_failed', 400);
    const tooManyIds = Array.from({ length: 101 }, (_, i) => `u${i}`).join(',');
    expectError(await call(t.baseUrl, `/api/users?ids=${tooManyIds}`, { apiKey }), 'validation_failed', 400);
  });

  it('filters string custom values exactly and is readable with a user token', async () => {
    await call(t.baseUrl, '/api/users', {
      apiKey,
      body: { users: [{ id: 'cf-1', custom: { city: 'Oslo' } }, { id: 'cf-2', custom: { city: 'oslo' } }, { id: 'cf-3', custom: { city: 'Oslo West' } }, { id: 'cf-4', custom: { zip: 5 } }, { id: 'cf-5', custom: { zip: '5' } }] },
    });
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'reader' });
    expect((await listAll('custom.city=Oslo', { token })).map((u) => u.id)).toEqual(['cf-1']);
    expect((await listAll('custom.city=Oslo%20West', { token })).map((u) => u.id)).toEqual(['cf-3']);
    expect((await listAll('custom.zip=5', { token })).map((u) => u.id)).toEqual(['cf-4', 'cf-5']);
    expectError(await call(t.baseUrl, '/api/users?custom.bad$key=1', { apiKey }), 'validation_failed', 400);
  });

  it('GET /api/users/:id finds a user of the app, 404 otherwise', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'viewer' });
    const found = await call<UserResponse>(t.baseUrl, '/api/users/bulk-007', { token });
    expect(found.status).toBe(200);
    expect(found.body.user.name).toBe('Bulk 7');
    expectError(await call(t.baseUrl, '/api/users/nobody', { token }), 'user_not_found', 404);
  });

  it('soft delete hides the user and kills their tokens; upsert restores; hard delete erases', async () => {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'leaver', name: 'Leaver' });
    const deleted = await call(t.baseUrl, '/api/users/leaver', { apiKey, method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expectError(await call(t.baseUrl, '/api/users/leaver', { apiKey }), 'user_not_found', 404);
    expectError(await call(t.baseUrl, '/api/users/me', { token }), 'invalid_token', 401);
    expect(await listAll('ids=leaver')).toHaveLength(0);
    expectError(await call(t.baseUrl, '/api/users/leaver', { apiKey, method: 'DELETE' }), 'user_not_found', 404);

    const back = await issueTokens(t.baseUrl, apiKey, { userId: 'leaver' });
    expect(back.user.name).toBe('Leaver');
    expect((await call(t.baseUrl, '/api/users/me', { token: back.token })).status).toBe(200);
    // The token from before the deletion stays dead after the restore.
    expect((await call(t.baseUrl, '/api/users/me', { token })).status).toBe(401);

    expect((await call(t.baseUrl, '/api/users/leaver?hard=true', { apiKey, method: 'DELETE' })).status).toBe(204);
    const row = await t.server.context.store.db.selectFrom('users').select('id').where('id', '=', 'leaver').executeTakeFirst();
    expect(row).toBeUndefined();
    const again = await issueTokens(t.baseUrl, apiKey, { userId: 'leaver' });
    expect(again.user.name).toBeNull();
  });

  it('concurrent upserts of one id leave one user', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(t.baseUrl, '/tokens', { apiKey, body: { userId: 'racer', name: `R${i}` } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const rows = await t.server.context.store.db.selectFrom('users').select('id').where('id', '=', 'racer').execute();
    expect(rows).toHaveLength(1);
  });
});
