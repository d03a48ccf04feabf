import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorBody, Webhook, WebhooksResponse, WebhookWithSecret } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSecretOwner } from '../src/domain/webhooks/webhook-secrets.js';
import { checkWebhookUrl } from '../src/domain/webhooks/webhook-url.js';
import { MAX_WEBHOOKS_PER_APP, SECRET_ROTATION_OVERLAP_MS } from '../src/domain/webhooks/webhooks.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** A receiver that answers 204 to everything: a real port the allowlisted URLs point at. */
async function startReceiver(): Promise<{ server: Server; port: number }> {
  const server = createServer((_request, response) => response.writeHead(204).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** The message of an error answer, whatever the call expected on success. */
function messageOf(reply: Reply<unknown>): string {
  return (reply.body as ErrorBody).error.message;
}

describe.each(storeKinds)('webhooks REST API on %s', (kind) => {
  let t: TestServer;
  let receiver: { server: Server; port: number };
  let apiKey: string;
  let appId: string;
  let hookUrl: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    // localhost is listed by name on the receiver's port only: 127.0.0.1 on that port is listed separately.
    t = await startTestServer(kind, { outbound: { allowListedOnly: true, allowHosts: [`127.0.0.1:${receiver.port}`, `localhost:${receiver.port}`] } });
    ({ apiKey, app: { id: appId } } = await t.createApp('Hooks'));
    hookUrl = `http://127.0.0.1:${receiver.port}/hook`;
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  const create = (body: unknown, key = apiKey) => call<{ webhook: WebhookWithSecret }>(t.baseUrl, '/api/app/webhooks', { apiKey: key, body });

  it('creates a webhook: 201 with its whsec_ secret, which no later answer shows', async () => {
    const made = await create({ url: hookUrl, description: 'orders' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const { webhook } = made.body;
    expect(webhook).toMatchObject({ url: hookUrl, events: ['*'], description: 'orders', disabledAt: null, previousSecretExpiresAt: null });
    expect(webhook.id).toMatch(/^wh_[\w-]+$/);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Date.parse(webhook.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    // The secret the box holds is the one shown.
    const row = await t.server.context.store.db.selectFrom('webhooks').selectAll().where('id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(t.server.context.store.secrets.open(row.secret, webhookSecretOwner(appId, webhook.id))).toBe(webhook.secret);

    const listed = await call<WebhooksResponse>(t.baseUrl, '/api/app/webhooks', { apiKey });
    expect(listed.status).toBe(200);
    expect(listed.body.webhooks.map((w) => w.id)).toContain(webhook.id);
    const one = await call<{ webhook: Webhook }>(t.baseUrl, `/api/app/webhooks/${webhook.id}`, { apiKey });
    expect(one.body.webhook).toEqual({ ...webhook, secret: undefined });
    for (const answer of [listed.body, one.body]) {
      expect(JSON.stringify(answer)).not.toContain(webhook.secret);
      expect(JSON.stringify(answer)).not.toMatch(/whsec_|"secret"/);
    }
  });

  it('filters events: known types and families only, duplicates dropped, * absorbs the rest', async () => {
    const family = await create({ url: hookUrl, events: ['message.*', 'message.new', 'user.created', 'message.*'] });
    expect(family.status).toBe(201);
    expect(family.body.webhook.events).toEqual(['message.*', 'message.new', 'user.created']);
    expect((await create({ url: hookUrl, events: ['reaction.new', '*'] })).body.webhook.events).toEqual(['*']);

    for (const events of [['messages.new'], ['message.bogus'], ['nothing.*'], ['webhook.disabled']]) {
      const refused = await create({ url: hookUrl, events });
      expectError(refused, 'validation_failed', 400);
      expect(messageOf(refused)).toContain(events[0]);
    }
    // Shapes the schema refuses before the domain sees them.
    for (const events of [[], ['MESSAGE.NEW'], ['message.'], 'message.new', [''], ['**']]) expectError(await create({ url: hookUrl, events }), 'validation_failed', 400);
    expectError(await create({ url: hookUrl, secret: 'whsec_mine' }), 'validation_failed', 400);
    expectError(await create({ events: ['*'] }), 'validation_failed', 400);
    expectError(await create({ url: hookUrl, description: 'x'.repeat(257) }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/app/webhooks', { apiKey, body: '{"url":' }), 'invalid_json', 400);
  });

  it('changes url, events and description with PATCH; disabled pauses it and false enables it again', async () => {
    const { webhook } = (await create({ url: hookUrl })).body;
    const path = `/api/app/webhooks/${webhook.id}`;
    const patched = await call<{ webhook: Webhook }>(t.baseUrl, path, {
      apiKey,
      method: 'PATCH',
      body: { url: `http://localhost:${receiver.port}/other`, events: ['member.*'], description: 'members' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.webhook).toMatchObject({ url: `http://localhost:${receiver.port}/other`, events: ['member.*'], description: 'members', disabledAt: null });
    expect(Date.parse(patched.body.webhook.updatedAt)).toBeGreaterThanOrEqual(Date.parse(webhook.updatedAt));

    const paused = await call<{ webhook: Webhook }>(t.baseUrl, path, { apiKey, method: 'PATCH', body: { disabled: true } });
    expect(paused.body.webhook.disabledAt).not.toBeNull();
    // A failing run the worker recorded goes when the webhook is enabled again, so it gets a full day before the next disable.
    await t.server.context.store.db.updateTable('webhooks').set({ failing_since: Date.now() - 3_600_000 }).where('id', '=', webhook.id).execute();
    const enabled = await call<{ webhook: Webhook }>(t.baseUrl, path, { apiKey, method: 'PATCH', body: { disabled: false } });
    expect(enabled.body.webhook.disabledAt).toBeNull();
    const row = await t.server.context.store.db.selectFrom('webhooks').select(['failing_since', 'disabled_at']).where('id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ failing_since: null, disabled_at: null });

    expectError(await call(t.baseUrl, path, { apiKey, method: 'PATCH', body: { events: ['nope.nope'] } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, path, { apiKey, method: 'PATCH', body: { url: 'https://127.0.0.1:1/' } }), 'webhook_url_refused', 400);
    expectError(await call(t.baseUrl, path, { apiKey, method: 'PATCH', body: { secret: 'x' } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/app/webhooks/wh_missing', { apiKey, method: 'PATCH', body: { description: 'x' } }), 'webhook_not_found', 404);
    // A refused change changed nothing.
    const after = await call<{ webhook: Webhook }>(t.baseUrl, path, { apiKey });
    expect(after.body.webhook).toMatchObject({ url: `http://localhost:${receiver.port}/other`, events: ['member.*'] });
  });

  it('rotate-secret shows the new secret once and keeps the old one signing for 24 h', async () => {
    const { webhook } = (await create({ url: hookUrl })).body;
    const before = Date.now();
    const rotated = await call<{ webhook: WebhookWithSecret }>(t.baseUrl, `/api/app/webhooks/${webhook.id}/rotate-secret`, { apiKey, method: 'POST' });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const { secret } = rotated.body.webhook;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(webhook.secret);
    const until = Date.parse(rotated.body.webhook.previousSecretExpiresAt ?? '');
    expect(until).toBeGreaterThanOrEqual(before + SECRET_ROTATION_OVERLAP_MS - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + SECRET_ROTATION_OVERLAP_MS);

    const { store } = t.server.context;
    const owner = webhookSecretOwner(appId, webhook.id);
    const row = await store.db.selectFrom('webhooks').selectAll().where('id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(store.secrets.open(row.secret, owner)).toBe(secret);
    expect(store.secrets.open(row.previous_secret ?? '', owner)).toBe(webhook.secret);
    expect(row.previous_secret_until).toBe(until);

    const shown = await call<{ webhook: Webhook }>(t.baseUrl, `/api/app/webhooks/${webhook.id}`, { apiKey });
    expect(JSON.stringify(shown.body)).not.toContain(secret);
    expect(shown.body.webhook.previousSecretExpiresAt).toBe(rotated.body.webhook.previousSecretExpiresAt);

    // A second rotation: the latest two sign, the first is gone.
    const again = await call<{ webhook: WebhookWithSecret }>(t.baseUrl, `/api/app/webhooks/${webhook.id}/rotate-secret`, { apiKey, method: 'POST', body: {} });
    expect(again.status).toBe(200);
    const row2 = await store.db.selectFrom('webhooks').selectAll().where('id', '=', webhook.id).executeTakeFirstOrThrow();
    expect([store.secrets.open(row2.secret, owner), store.secrets.open(row2.previous_secret ?? '', owner)]).toEqual([again.body.webhook.secret, secret]);
    expectError(await call(t.baseUrl, '/api/app/webhooks/wh_missing/rotate-secret', { apiKey, method: 'POST' }), 'webhook_not_found', 404);
    expectError(await call(t.baseUrl, `/api/app/webhooks/${webhook.id}/rotate-secret`, { apiKey, method: 'POST', body: { secret: 'x' } }), 'validation_failed', 400);
  });

  it('a user token can neither create, list, read, change nor delete webhooks (403)', async () => {
    const { webhook } = (await create({ url: hookUrl })).body;
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'nosy' });
    const path = `/api/app/webhooks/${webhook.id}`;
    expectError(await call(t.baseUrl, '/api/app/webhooks', { token, body: { url: hookUrl } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/app/webhooks', { token }), 'forbidden', 403);
    expectError(await call(t.baseUrl, path, { token }), 'forbidden', 403);
    expectError(await call(t.baseUrl, path, { token, method: 'PATCH', body: { url: hookUrl } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, path, { token, method: 'DELETE' }), 'forbidden', 403);
    expectError(await call(t.baseUrl, `${path}/rotate-secret`, { token, method: 'POST' }), 'forbidden', 403);
    expectError(await call(t.baseUrl, `${path}/deliveries`, { token }), 'forbidden', 403);
    expectError(await call(t.baseUrl, `${path}/replay`, { token, body: { since: new Date(0).toISOString() } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/app/webhooks'), 'unauthorized', 401);
    // Still there, unchanged.
    expect((await call<{ webhook: Webhook }>(t.baseUrl, path, { apiKey })).body.webhook.url).toBe(hookUrl);
  });

  it('refuses a URL that is, or resolves to, loopback, private, link-local or metadata unless its host:port is allowlisted', async () => {
    const refused = [
      'https://127.0.0.1/hook',
      // The allowlist is per port: the receiver's host on another port is not listed.
      `https://127.0.0.1:${receiver.port + 1}/hook`,
      // By name: localhost resolves to 127.0.0.1.
      'https://localhost/hook',
      'https://[::1]:8443/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://10.1.2.3/hook',
      'https://192.168.0.10/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://0.0.0.0/hook',
      'https://2130706433/hook',
      'https://nowhere.invalid/hook',
    ];
    for (const url of refused) {
      const reply = await create({ url });
      expectError(reply, 'webhook_url_refused', 400);
      expect(messageOf(reply), url).toMatch(/resolves to|does not resolve/);
    }
    // Listed: http and a loopback address are fine, by address and by name.
    expect((await create({ url: `http://127.0.0.1:${receiver.port}/a` })).status).toBe(201);
    expect((await create({ url: `https://localhost:${receiver.port}/b` })).status).toBe(201);
    expect((await call<WebhooksResponse>(t.baseUrl, '/api/app/webhooks', { apiKey })).body.webhooks.every((w) => !w.url.includes('10.1.2.3'))).toBe(true);
  });

  it('refuses plain http unless the operator allows it or lists the host', async () => {
    const reply = await create({ url: `http://127.0.0.1:${receiver.port + 1}/hook` });
    expectError(reply, 'webhook_url_refused', 400);
    expect(messageOf(reply)).toMatch(/must be https/);
    // The hint names the entry that would let it through, port included.
    expect(messageOf(await create({ url: 'http://93.184.216.34/hook' }))).toContain('lists 93.184.216.34:80 in CHATSDK_OUTBOUND_ALLOW_HOSTS');
    expect(messageOf(await create({ url: 'https://localhost/hook' }))).toContain('CHATSDK_OUTBOUND_ALLOW_HOSTS=localhost:443');
    expectError(await create({ url: 'javascript:alert(1)' }), 'validation_failed', 400);
    expectError(await create({ url: 'ftp://example.com/hook' }), 'validation_failed', 400);

    // The rule itself, with the operator's two switches (public address literals: no DNS needed).
    const none = { allowHttp: false, allowHosts: [] };
    await expect(checkWebhookUrl('http://93.184.216.34/hook', none)).rejects.toMatchObject({ code: 'webhook_url_refused' });
    await expect(checkWebhookUrl('https://93.184.216.34/hook', none)).resolves.toBe('https://93.184.216.34/hook');
    await expect(checkWebhookUrl('http://93.184.216.34/hook', { allowHttp: true, allowHosts: [] })).resolves.toBe('http://93.184.216.34/hook');
    await expect(checkWebhookUrl('http://93.184.216.34:8080/hook', { allowHttp: false, allowHosts: ['93.184.216.34:8080'] })).resolves.toBe('http://93.184.216.34:8080/hook');
    // Allowing http does not let an internal address through.
    await expect(checkWebhookUrl('http://127.0.0.1:8080/hook', { allowHttp: true, allowHosts: [] })).rejects.toMatchObject({ code: 'webhook_url_refused' });
    await expect(checkWebhookUrl('http://[::1]:8080/', { allowHttp: false, allowHosts: ['[::1]:8080'] })).resolves.toBe('http://[::1]:8080/');
  });

  it(`refuses a ${MAX_WEBHOOKS_PER_APP + 1}th webhook with a 400 that says why`, async () => {
    const { apiKey: key } = await t.createApp('Full');
    for (let i = 0; i < MAX_WEBHOOKS_PER_APP; i++) expect((await create({ url: hookUrl }, key)).status).toBe(201);
    const over = await create({ url: hookUrl }, key);
    expectError(over, 'validation_failed', 400);
    expect(messageOf(over)).toContain(`at most ${MAX_WEBHOOKS_PER_APP}`);
    const listed = await call<WebhooksResponse>(t.baseUrl, '/api/app/webhooks', { apiKey: key });
    expect(listed.body.webhooks).toHaveLength(MAX_WEBHOOKS_PER_APP);
    // Deleting one makes room again.
    const first = listed.body.webhooks[0]?.id ?? '';
    expect((await call(t.baseUrl, `/api/app/webhooks/${first}`, { apiKey: key, method: 'DELETE' })).status).toBe(200);
    expect((await create({ url: hookUrl }, key)).status).toBe(201);
  });

  it(`holds the limit when ${MAX_WEBHOOKS_PER_APP + 5} creates race`, async () => {
    const { apiKey: key } = await t.createApp('Racing');
    const replies = await Promise.all(Array.from({ length: MAX_WEBHOOKS_PER_APP + 5 }, () => create({ url: hookUrl }, key)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(MAX_WEBHOOKS_PER_APP);
    for (const refused of replies.filter((r) => r.status !== 201)) expectError(refused, 'validation_failed', 400);
    expect((await call<WebhooksResponse>(t.baseUrl, '/api/app/webhooks', { apiKey: key })).body.webhooks).toHaveLength(MAX_WEBHOOKS_PER_APP);
  });

  it("keeps apps apart: another app's webhook ids are 404 on every route and absent from its list", async () => {
    const { webhook } = (await create({ url: hookUrl })).body;
    const other = await t.createApp('Other');
    const path = `/api/app/webhooks/${webhook.id}`;
    expectError(await call(t.baseUrl, path, { apiKey: other.apiKey }), 'webhook_not_found', 404);
    expectError(await call(t.baseUrl, path, { apiKey: other.apiKey, method: 'PATCH', body: { description: 'mine now' } }), 'webhook_not_found', 404);
    expectError(await call(t.baseUrl, path, { apiKey: other.apiKey, method: 'DELETE' }), 'webhook_not_found', 404);
    expectError(await call(t.baseUrl, `${path}/rotate-secret`, { apiKey: other.apiKey, method: 'POST' }), 'webhook_not_found', 404);
    expectError(await call(t.baseUrl, `${path}/deliveries`, { apiKey: other.apiKey }), 'webhook_not_found', 404);
    expectError(await call(t.baseUrl, `${path}/replay`, { apiKey: other.apiKey, body: { since: new Date(0).toISOString() } }), 'webhook_not_found', 404);
    expect((await call<WebhooksResponse>(t.baseUrl, '/api/app/webhooks', { apiKey: other.apiKey })).body.webhooks).toEqual([]);
    const mine = await call<{ webhook: Webhook }>(t.baseUrl, path, { apiKey });
    expect(mine.body.webhook).toMatchObject({ description: '', url: hookUrl });
    const row = await t.server.context.store.db.selectFrom('webhooks').select('secret').where('id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(t.server.context.store.secrets.open(row.secret, webhookSecretOwner(appId, webhook.id))).toBe(webhook.secret);
  });
});
