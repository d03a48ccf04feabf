import type { ChannelState, MessageResponse, UserResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** URLs a client must never be handed to load or link to: scripts, inline documents, local files, no scheme. */
const REFUSED = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.cookie)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'blob:https://a.example/uuid',
  'ftp://files.example/a.png',
  '//evil.example/a.png',
  '/relative/a.png',
  'https://',
  'https:///no-host',
  ' https://leading-space.example/a.png',
  'https://cdn.example/a b.png',
];
const ACCEPTED = ['https://cdn.example/a.png', 'http://cdn.example/a.png?size=2#top', 'HTTPS://CDN.EXAMPLE/A.PNG'];

describe.each(storeKinds)('URL schemes on %s', (kind) => {
  let t: TestServer;
  let apiKey: string;
  let token: string;
  let messageId: string;

  /** Every place a URL goes in, as a request that carries `url` there. */
  const places = (url: string) => [
    { what: 'POST /tokens image', path: '/tokens', auth: { apiKey }, method: 'POST', body: { userId: 'url-alice', image: url } },
    { what: 'POST /api/users image', path: '/api/users', auth: { apiKey }, method: 'POST', body: { users: [{ id: 'url-bob', image: url }] } },
    { what: 'PATCH /api/users/me image', path: '/api/users/me', auth: { token }, method: 'PATCH', body: { image: url } },
    { what: 'POST /api/channels image', path: '/api/channels', auth: { token }, method: 'POST', body: { type: 'messaging', id: 'url-new', image: url } },
    { what: 'PATCH /api/channels/:id image', path: '/api/channels/urls', auth: { token }, method: 'PATCH', body: { image: url } },
    { what: 'send attachments[].url', path: '/api/channels/urls/messages', auth: { token }, method: 'POST', body: { attachments: [{ type: 'image', url }] } },
    { what: 'send attachments[].thumbUrl', path: '/api/channels/urls/messages', auth: { token }, method: 'POST', body: { attachments: [{ type: 'image', thumbUrl: url }] } },
    { what: 'edit attachments[].url', path: `/api/messages/${messageId}`, auth: { token }, method: 'PATCH', body: { attachments: [{ type: 'file', url }] } },
    { what: 'edit attachments[].thumbUrl', path: `/api/messages/${messageId}`, auth: { token }, method: 'PATCH', body: { attachments: [{ type: 'file', thumbUrl: url }] } },
  ];

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ apiKey } = await t.createApp('Urls'));
    ({ token } = await issueTokens(t.baseUrl, apiKey, { userId: 'url-alice' }));
    expect((await call<ChannelState>(t.baseUrl, '/api/channels', { token, body: { type: 'messaging', id: 'urls' } })).status).toBe(201);
    messageId = (await call<MessageResponse>(t.baseUrl, '/api/channels/urls/messages', { token, body: { text: 'files' } })).body.message.id;
  });
  afterAll(() => t?.close());

  it('refuses javascript:, data:, file: and every other non-http(s) URL with validation_failed, storing nothing', async () => {
    for (const url of REFUSED) {
      for (const place of places(url)) {
        const reply = await call(t.baseUrl, place.path, { method: place.method, ...place.auth, body: place.body });
        expectError(reply, 'validation_failed', 400);
        expect((reply.body as { error: { message: string } }).error.message, `${place.what} ${url}`).toMatch(/image|url|thumbUrl/i);
      }
    }
    const me = await call<UserResponse>(t.baseUrl, '/api/users/me', { token });
    expect(me.body.user.image).toBeNull();
    expect((await call(t.baseUrl, '/api/channels/url-new', { token })).status).toBe(404);
    const message = await call<MessageResponse>(t.baseUrl, `/api/messages/${messageId}`, { token });
    expect(message.body.message.attachments).toEqual([]);
  });

  it('takes http and https URLs, the scheme in any case', async () => {
    for (const url of ACCEPTED) {
      for (const place of places(url)) {
        const reply = await call(t.baseUrl, place.path, { method: place.method, ...place.auth, body: place.body });
        expect([200, 201], `${place.what} ${url}: ${JSON.stringify(reply.body)}`).toContain(reply.status);
        // The channel created with an image is made again under the same id: 200 from here on.
      }
    }
    const me = await call<UserResponse>(t.baseUrl, '/api/users/me', { token });
    expect(me.body.user.image).toBe(ACCEPTED.at(-1));
    // An image can still be cleared.
    expect((await call(t.baseUrl, '/api/users/me', { method: 'PATCH', token, body: { image: null } })).status).toBe(200);
  });
});
