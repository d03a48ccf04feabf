import type { MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { type HookReceiver, setBeforeSendHook, startHookReceiver, verifiesWith } from './helpers/hook-receiver.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/**
 * What a send may take beyond the hook's budget: the send itself and the test's own HTTP round trip, on
 * a machine shared with other test files. Well below the hook's held answers (3 s), so a send that waited
 * for one still fails.
 */
const SLACK_MS = 700;

describe.each(storeKinds)('a before-send hook that fails, on %s', (kind) => {
  let hook: HookReceiver;
  let t: TestServer;
  let chat: ChatApp;
  let secret = '';
  const ann = () => ({ token: chat.users.ann?.token ?? '' });
  const stored = (id: string) =>
    t.server.context.store.db.selectFrom('messages').select(['id', 'text']).where('app_id', '=', chat.appId).where('id', '=', id).executeTakeFirst();

  /** Sends as ann and times the whole exchange. */
  async function timedSend(body: object) {
    const started = performance.now();
    const reply = await call<MessageResponse>(t.baseUrl, '/api/channels/room/messages', { ...ann(), body });
    return { reply, ms: performance.now() - started };
  }

  async function configure(timeoutMs: number, onFailure: 'allow' | 'reject') {
    secret = (await setBeforeSendHook(t.baseUrl, chat.apiKey, { url: hook.url, timeoutMs, onFailure })) ?? secret;
  }

  beforeAll(async () => {
    hook = await startHookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [hook.hostPort] } });
    chat = await chatApp(t, ['ann', 'bob']);
    await createChannel(t, ann(), { type: 'messaging', id: 'room', members: ['bob'] });
    // A first send warms the path (statements, code) so the timings below are the hook's.
    expect((await timedSend({ text: 'warm-up' })).reply.status).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await hook.close();
  });

  it('stores the message unchanged when the hook does not answer in time and onFailure is allow, within the budget', async () => {
    await configure(300, 'allow');
    hook.answer(() => ({ delayMs: 3000, body: { reject: true } }));
    const asked = hook.received.length;
    const { reply, ms } = await timedSend({ id: 'slow-allow', text: 'waited for' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body.message.text).toBe('waited for');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(300 + SLACK_MS);
    expect((await stored('slow-allow'))?.text).toBe('waited for');
    // The first request used the whole budget: there was no time left to ask again.
    expect(hook.received.length).toBe(asked + 1);
  });

  it('refuses with 503 before_send_hook_unavailable and stores nothing when it times out and onFailure is reject', async () => {
    await configure(300, 'reject');
    hook.answer(() => ({ delayMs: 3000, body: {} }));
    const { reply, ms } = await timedSend({ id: 'slow-reject', text: 'never stored' });
    expectError(reply, 'before_send_hook_unavailable', 503);
    expect(ms).toBeLessThan(300 + SLACK_MS);
    expect(await stored('slow-reject')).toBeUndefined();
    // The sender may try again with the same id: nothing of the first try is in the way.
    hook.answer(() => ({ body: {} }));
    const again = await timedSend({ id: 'slow-reject', text: 'never stored' });
    expect(again.reply.status).toBe(201);
  });

  it('retries once when the first answer is a 500, and allows on the second (one question: same webhook-id, both signed)', async () => {
    await configure(1000, 'reject');
    hook.answer((_, i) => (i === 0 ? { status: 500, body: { error: 'boom' } } : { body: {} }));
    const asked = hook.received.length;
    const { reply } = await timedSend({ id: 'retried', text: 'second time lucky' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const [first, second] = hook.received.slice(asked);
    expect(hook.received.length).toBe(asked + 2);
    expect(first?.headers['webhook-id']).toBe(second?.headers['webhook-id']);
    expect(verifiesWith(secret, first!)).toBe(true);
    expect(verifiesWith(secret, second!)).toBe(true);
  });

  it('asks at most twice: two 503s fail the send (reject)', async () => {
    hook.answer(() => ({ status: 503 }));
    const asked = hook.received.length;
    const { reply } = await timedSend({ id: 'down', text: 'hook is down' });
    expectError(reply, 'before_send_hook_unavailable', 503);
    expect(hook.received.length).toBe(asked + 2);
    expect(await stored('down')).toBeUndefined();
  });

  it('keeps the retry inside the budget: after a slow 500 the retry gets what is left, not a budget of its own', async () => {
    await configure(1000, 'reject');
    hook.answer((_, i) => (i === 0 ? { status: 500, delayMs: 600 } : { delayMs: 3000, body: {} }));
    const asked = hook.received.length;
    const { reply } = await timedSend({ id: 'budget', text: 'in time?' });
    expectError(reply, 'before_send_hook_unavailable', 503);
    const [first, retry] = hook.received.slice(asked);
    expect(hook.received.length).toBe(asked + 2);
    // Seen from the receiver: the retry is given up about 1000 ms after the first request came, not 1600.
    await expect.poll(() => retry?.closedAt).toBeDefined();
    const spent = (retry?.closedAt ?? 0) - (first?.at ?? 0);
    expect(spent).toBeGreaterThanOrEqual(950);
    expect(spent).toBeLessThan(1300);
  });

  it('does not retry a client error, a redirect, an answer that is not JSON or a replacement that breaks the rules; onFailure allow stores the message as sent', async () => {
    await configure(1000, 'allow');
    const answers = [
      { status: 404, body: { error: 'no such route' } },
      { status: 200, body: 'OK!' },
      { status: 302, body: {} },
      { status: 200, body: { message: { text: '' } } },
    ];
    for (const answer of answers) {
      hook.answer(() => answer);
      const asked = hook.received.length;
      const { reply } = await timedSend({ text: `answered ${answer.status}` });
      expect(reply.status, JSON.stringify(answer)).toBe(201);
      expect(reply.body.message.text).toBe(`answered ${answer.status}`);
      expect(hook.received.length).toBe(asked + 1);
    }
  });

  it('allows when the hook is gone altogether (connection refused) and onFailure is allow', async () => {
    const gone = await startHookReceiver();
    await gone.close();
    // Allowlisted like the live receiver is: only the refusal of the connection is tested here.
    const t2 = await startTestServer(kind, { outbound: { allowHosts: [gone.hostPort] } });
    try {
      const { app, apiKey } = await t2.createApp();
      const set = await call(t2.baseUrl, '/api/app', { apiKey, method: 'PATCH', body: { beforeSendHook: { url: gone.url, onFailure: 'allow' } } });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
      const tokens = await call<{ token: string }>(t2.baseUrl, '/tokens', { apiKey, body: { userId: 'zed' } });
      await createChannel(t2, { token: tokens.body.token }, { type: 'messaging', id: 'solo' });
      const reply = await call<MessageResponse>(t2.baseUrl, '/api/channels/solo/messages', { token: tokens.body.token, body: { text: 'anyone there?' } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(app.id).toBeTruthy();
    } finally {
      await t2.close();
    }
  });
});
