import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { type HookReceiver, setBeforeSendHook, startHookReceiver } from './helpers/hook-receiver.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/**
 * A send slow mode refuses is refused before the app's before-send hook is
 * asked: the app's server hears only of messages that could be stored.
 */
describe.each(storeKinds)('slow mode before the before-send hook on %s', (kind) => {
  let hook: HookReceiver;
  let t: TestServer;
  let chat: ChatApp;
  const bob = () => ({ token: chat.users.bob?.token ?? '' });

  beforeAll(async () => {
    hook = await startHookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [hook.hostPort] } });
    chat = await chatApp(t, ['ann', 'bob']);
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['ann', 'bob'] });
    await setBeforeSendHook(t.baseUrl, chat.apiKey, { url: hook.url, timeoutMs: 1000, onFailure: 'reject' });
    expect((await call(t.baseUrl, '/api/channels/room', { apiKey: chat.apiKey, method: 'PATCH', body: { cooldownSeconds: 60 } })).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    await hook.close();
  });

  it('asks the hook about the first send only: the second is 429 without a question', async () => {
    await send(t, bob(), 'room', { text: 'first' });
    expect(hook.received).toHaveLength(1);
    const refused = await call(t.baseUrl, '/api/channels/room/messages', { ...bob(), body: { text: 'second' } });
    expectError(refused, 'slow_mode', 429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(hook.received).toHaveLength(1);
  });
});
