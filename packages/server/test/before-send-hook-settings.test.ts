import { randomBytes } from 'node:crypto';
import type { AppResponse, UpdateAppResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, getApp as readApp, hookSecretOwner, updateApp } from '../src/domain/auth/apps.js';
import { hookChange } from '../src/domain/hooks/hook-settings.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { SecretBox } from '../src/store/secret-box.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { createTestStorage } from './helpers/stores.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { type HookReceiver, startHookReceiver, verifiesWith } from './helpers/hook-receiver.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('before-send hook settings on %s', (kind) => {
  let hook: HookReceiver;
  let t: TestServer;
  let chat: ChatApp;
  const ann = () => ({ token: chat.users.ann?.token ?? '' });
  const patch = (body: object, auth: { apiKey?: string; token?: string } = { apiKey: chat.apiKey }) =>
    call<UpdateAppResponse>(t.baseUrl, '/api/app', { ...auth, method: 'PATCH', body });
  const getApp = async () => (await call<AppResponse>(t.baseUrl, '/api/app', { apiKey: chat.apiKey })).body;

  beforeAll(async () => {
    hook = await startHookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [hook.hostPort] } });
    chat = await chatApp(t, ['ann']);
    await createChannel(t, ann(), { type: 'messaging', id: 'room' });
  });
  afterAll(async () => {
    await t.close();
    await hook.close();
  });

  it('has no hook until one is set; the first one gets a whsec_ secret shown in that answer only', async () => {
    expect((await getApp()).app.beforeSendHook).toBeNull();
    const set = await patch({ beforeSendHook: { url: hook.url } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.headers.get('cache-control')).toContain('no-store');
    expect(set.body.app.beforeSendHook).toEqual({ url: hook.url, timeoutMs: 1000, onFailure: 'allow' });
    const secret = set.body.beforeSendHookSecret ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const shown = await getApp();
    expect(shown.app.beforeSendHook).toEqual({ url: hook.url, timeoutMs: 1000, onFailure: 'allow' });
    expect(JSON.stringify(shown)).not.toContain(secret.slice(6));

    // Changing the settings keeps the secret: the receiver need not change.
    const changed = await patch({ beforeSendHook: { url: hook.url, timeoutMs: 2500, onFailure: 'reject' } });
    expect(changed.body.app.beforeSendHook).toEqual({ url: hook.url, timeoutMs: 2500, onFailure: 'reject' });
    expect(changed.body.beforeSendHookSecret).toBeUndefined();
    await send(t, ann(), 'room', { text: 'signed with the first secret' });
    expect(verifiesWith(secret, hook.received.at(-1)!)).toBe(true);

    // Settings are replaced as a whole: left-out fields go back to their defaults.
    const reset = await patch({ beforeSendHook: { url: hook.url } });
    expect(reset.body.app.beforeSendHook).toEqual({ url: hook.url, timeoutMs: 1000, onFailure: 'allow' });
  });

  it('rotates the secret on request: requests are signed with the new one only', async () => {
    const before = (await getApp()).app.beforeSendHook;
    const rotated = await patch({ rotateBeforeSendHookSecret: true });
    expect(rotated.status).toBe(200);
    const secret = rotated.body.beforeSendHookSecret ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect(rotated.body.app.beforeSendHook).toEqual(before);
    await send(t, ann(), 'room', { text: 'signed with the new secret' });
    expect(verifiesWith(secret, hook.received.at(-1)!)).toBe(true);
  });

  it('removes the hook with null: sends no longer ask it, and setting one again makes a new secret', async () => {
    const removed = await patch({ beforeSendHook: null });
    expect(removed.body.app.beforeSendHook).toBeNull();
    const row = await t.server.context.store.db.selectFrom('apps').select(['before_send_url', 'before_send_secret']).where('id', '=', chat.appId).executeTakeFirstOrThrow();
    expect(row).toEqual({ before_send_url: null, before_send_secret: null });
    const asked = hook.received.length;
    await send(t, ann(), 'room', { text: 'no hook now' });
    expect(hook.received.length).toBe(asked);
    expectError(await patch({ rotateBeforeSendHookSecret: true }), 'validation_failed', 400);
    const again = await patch({ beforeSendHook: { url: hook.url } });
    expect(again.body.beforeSendHookSecret).toMatch(/^whsec_/);
  });

  it('refuses timeoutMs outside 100–3000, an unknown onFailure, unknown fields and a rotation with null', async () => {
    for (const bad of [
      { beforeSendHook: { url: hook.url, timeoutMs: 99 } },
      { beforeSendHook: { url: hook.url, timeoutMs: 3001 } },
      { beforeSendHook: { url: hook.url, timeoutMs: 1.5 } },
      { beforeSendHook: { url: hook.url, onFailure: 'retry' } },
      { beforeSendHook: { url: hook.url, secret: 'whsec_mine' } },
      { beforeSendHook: { timeoutMs: 500 } },
      { beforeSendHook: { url: 'ftp://127.0.0.1/hook' } },
      { beforeSendHook: null, rotateBeforeSendHookSecret: true },
    ]) {
      expectError(await patch(bad), 'validation_failed', 400);
    }
    expect((await getApp()).app.beforeSendHook).toEqual({ url: hook.url, timeoutMs: 1000, onFailure: 'allow' });
  });

  it('is for the app\'s backend only: a user token gets 403', async () => {
    expectError(await patch({ beforeSendHook: { url: hook.url } }, ann()), 'forbidden', 403);
    expectError(await patch({ beforeSendHook: null }, ann()), 'forbidden', 403);
  });

  it('refuses a URL to a loopback or private address unless the operator allowlists it, and plain http to a public host', async () => {
    const port = Number(hook.hostPort.split(':')[1]);
    for (const url of [
      `http://127.0.0.1:${port + 1}/hook`,
      'https://127.0.0.2/hook',
      'https://localhost/hook',
      `http://localhost:${port}/hook`,
      'https://10.0.0.8/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'http://hooks.example.com/before-send',
    ]) {
      expectError(await patch({ beforeSendHook: { url } }), 'webhook_url_refused', 400);
    }
    expect((await getApp()).app.beforeSendHook?.url).toBe(hook.url);
  });
});

describe('the before-send hook secret at rest', () => {
  it('is sealed to its app with CHATSDK_SECRET_KEY, and opens only there', async () => {
    const storage = await createTestStorage('sqlite');
    const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
    const store = openSqliteStore(`${storage.env.CHATSDK_DATA_DIR}/chatsdk.db`, box);
    try {
      await migrateToLatest(store);
      const app = await createApp(store, { name: 'Sealed' });
      const rules = { allowHttp: false, allowHosts: ['127.0.0.1:9999'] };
      const change = await hookChange(app, { beforeSendHook: { url: 'http://127.0.0.1:9999/hook' } }, rules, box);
      const secret = change?.secret ?? '';
      expect(secret).toMatch(/^whsec_/);
      await updateApp(store, app.id, {}, change?.columns);
      const row = await store.db.selectFrom('apps').select('before_send_secret').where('id', '=', app.id).executeTakeFirstOrThrow();
      expect(SecretBox.isSealed(row.before_send_secret ?? '')).toBe(true);
      expect(row.before_send_secret).not.toContain(secret.slice(6));
      expect((await readApp(store, app.id))?.beforeSendHook?.secret).toBe(secret);
      // Copied into another app's row, it does not open: the seal names its owner.
      expect(() => box.open(row.before_send_secret ?? '', hookSecretOwner('app_other'))).toThrow();
    } finally {
      await store.close();
      await storage.destroy();
    }
  });
});
