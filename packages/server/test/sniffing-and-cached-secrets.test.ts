import type { NewApiKey } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('headers that keep browsers from sniffing answers and caches from keeping secrets', () => {
  let t: TestServer;
  let apiKey: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    ({ apiKey } = await t.createApp('Headers'));
    ({ token } = await issueTokens(t.baseUrl, apiKey, { userId: 'hdr-alice' }));
  });
  afterAll(() => t?.close());

  it('sends X-Content-Type-Options: nosniff on every kind of answer', async () => {
    const json = { 'content-type': 'application/json' };
    const requests: Array<{ what: string; path: string; init?: RequestInit }> = [
      { what: 'health', path: '/health' },
      { what: 'the OpenAPI document', path: '/api/openapi.json' },
      { what: 'a user route', path: '/api/users/me', init: { headers: { authorization: `Bearer ${token}` } } },
      { what: 'a created channel', path: '/api/channels', init: { method: 'POST', headers: { authorization: `Bearer ${token}`, ...json }, body: '{"type":"messaging"}' } },
      { what: 'a 204', path: '/api/users/hdr-alice', init: { method: 'DELETE', headers: { 'x-api-key': apiKey } } },
      { what: 'no credentials', path: '/api/users/me' },
      { what: 'a validation error', path: '/tokens', init: { method: 'POST', headers: { 'x-api-key': apiKey, ...json }, body: '{}' } },
      { what: 'invalid JSON', path: '/tokens', init: { method: 'POST', headers: { 'x-api-key': apiKey, ...json }, body: '{' } },
      { what: 'a body too large', path: '/tokens', init: { method: 'POST', headers: { 'x-api-key': apiKey, ...json }, body: ' '.repeat(1024 * 1024 + 1) } },
      { what: 'a wrong media type', path: '/tokens', init: { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'text/xml' }, body: '<a/>' } },
      { what: 'no such route', path: '/nowhere' },
      { what: "the router's own error", path: '/api/users/%E0%A4%A' },
      { what: 'a preflight', path: '/api/users/me', init: { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'GET' } } },
      { what: 'an OPTIONS that is no preflight', path: '/api/users/me', init: { method: 'OPTIONS' } },
    ];
    const missing: string[] = [];
    for (const { what, path, init } of requests) {
      const reply = await fetch(t.baseUrl + path, init);
      await reply.arrayBuffer();
      if (reply.headers.get('x-content-type-options') !== 'nosniff') missing.push(`${what} (${reply.status})`);
    }
    expect(missing).toEqual([]);
  });

  it('sends Cache-Control: no-store on every answer that shows a secret: tokens and new API keys', async () => {
    for (const path of ['/tokens', '/api/tokens']) {
      const reply = await call(t.baseUrl, path, { apiKey, body: { userId: 'hdr-bob' } });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control'), path).toBe('no-store');
    }
    const created = await call<NewApiKey>(t.baseUrl, '/api/app/keys', { method: 'POST', apiKey });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const rotated = await call<NewApiKey>(t.baseUrl, `/api/app/keys/${created.body.key.id}/rotate`, { method: 'POST', apiKey, body: { overlapSeconds: 0 } });
    expect(rotated.status).toBe(201);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
  });
});
