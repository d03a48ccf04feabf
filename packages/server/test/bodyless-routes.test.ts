import type { CreateTokenResponse, MessageResponse, NewApiKey } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens } from './helpers/http.js';
import { asOpenApiDocument, fillPath, type Operation, type Probe, readOperations, sweep } from './helpers/openapi-sweep.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** What a caller might hope an ignoring route would take: a field it does not have, and a privilege. */
const SMUGGLED = '{"unknownField":1,"role":"admin"}';

describe.each(storeKinds)('routes that take no body on %s', (kind) => {
  let t: TestServer;
  let apiKey: string;
  let alice: CreateTokenResponse;
  let bob: CreateTokenResponse;
  let spareKey: NewApiKey;
  let messageId: string;
  let operations: Operation[];

  const path = (template: string) =>
    fillPath(template, (_param, resource) =>
      encodeURIComponent(
        { users: bob.user.id, members: bob.user.id, keys: spareKey.key.id, channels: 'bodyless', messages: messageId, reactions: 'like' }[resource] ?? 'some-id',
      ),
    );
  const headersOf = (credential: 'apiKey' | 'bearer'): Record<string, string> =>
    credential === 'apiKey' ? { 'x-api-key': apiKey } : { authorization: `Bearer ${alice.token}` };

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ apiKey } = await t.createApp('Bodyless'));
    alice = await issueTokens(t.baseUrl, apiKey, { userId: 'bl-alice' });
    bob = await issueTokens(t.baseUrl, apiKey, { userId: 'bl-bob' });
    spareKey = (await call<NewApiKey>(t.baseUrl, '/api/app/keys', { apiKey, method: 'POST' })).body;
    expect((await call(t.baseUrl, '/api/channels', { token: alice.token, body: { type: 'messaging', id: 'bodyless', members: [bob.user.id] } })).status).toBe(201);
    messageId = (await call<MessageResponse>(t.baseUrl, '/api/channels/bodyless/messages', { token: alice.token, body: { text: 'keep me' } })).body.message.id;
    operations = readOperations(asOpenApiDocument((await call(t.baseUrl, '/api/openapi.json')).body));
  });
  afterAll(() => t?.close());

  it('refuses unknown fields and non-object bodies on every POST, PUT, PATCH and DELETE, and changes nothing', async () => {
    const probes: Probe[] = [];
    for (const op of operations.filter((o) => o.method !== 'GET' && o.credentials.length > 0)) {
      for (const credential of op.credentials) {
        for (const body of [SMUGGLED, '[1,2]', '"text"', '7']) {
          probes.push({
            what: `${body} as ${credential}`,
            method: op.method,
            path: path(op.path),
            headers: { ...headersOf(credential), 'content-type': 'application/json' },
            body,
            codes: ['validation_failed'],
          });
        }
      }
    }
    expect(probes.length).toBeGreaterThan(80);
    expect(await sweep(t.baseUrl, probes)).toEqual([]);
    // Nothing was revoked, deleted, truncated, pinned or blocked by a refused request.
    expect((await call(t.baseUrl, '/api/users/me', { token: alice.token })).status).toBe(200);
    expect((await call(t.baseUrl, '/api/users/me', { token: bob.token })).status).toBe(200);
    const message = await call<MessageResponse>(t.baseUrl, `/api/messages/${messageId}`, { token: bob.token });
    expect(message.body.message).toMatchObject({ text: 'keep me', pinnedAt: null, deletedAt: null });
    expect((await call<{ blocks: unknown[] }>(t.baseUrl, '/api/users/me/blocks', { token: alice.token })).body.blocks).toEqual([]);
  });

  it('names the field it refuses', async () => {
    const reply = await call(t.baseUrl, `/api/users/${bob.user.id}/revoke-tokens`, { apiKey, body: SMUGGLED });
    expectError(reply, 'validation_failed', 400);
    expect((reply.body as { error: { message: string } }).error.message).toContain('unknownField');
  });

  it('still takes {} or no body at all', async () => {
    const calls: Array<{ method: string; url: string; auth: { apiKey?: string; token?: string } }> = [
      { method: 'POST', url: `/api/messages/${messageId}/pin`, auth: { token: alice.token } },
      { method: 'DELETE', url: `/api/messages/${messageId}/pin`, auth: { token: alice.token } },
      { method: 'POST', url: `/api/users/${bob.user.id}/block`, auth: { token: alice.token } },
      { method: 'DELETE', url: `/api/users/${bob.user.id}/block`, auth: { token: alice.token } },
      { method: 'POST', url: '/api/channels/bodyless/truncate', auth: { apiKey } },
      { method: 'POST', url: `/api/users/${bob.user.id}/revoke-tokens`, auth: { apiKey } },
    ];
    for (const { method, url, auth } of calls) {
      const empty = await call(t.baseUrl, url, { method, ...auth, body: {} });
      expect(empty.status, `${method} ${url} {}: ${JSON.stringify(empty.body)}`).toBe(200);
      const none = await call(t.baseUrl, url, { method, ...auth });
      expect(none.status, `${method} ${url} without a body: ${JSON.stringify(none.body)}`).toBe(200);
    }
  });
});
