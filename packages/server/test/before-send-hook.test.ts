import type { CreateTokenResponse, ErrorBody, Message, MessageNewEvent, MessageResponse } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { type HookReceiver, setBeforeSendHook, startHookReceiver, verifiesWith } from './helpers/hook-receiver.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('the before-send hook on %s', (kind) => {
  let hook: HookReceiver;
  let t: TestServer;
  let chat: ChatApp;
  let secret: string;
  const clients: Centrifuge[] = [];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const post = (auth: { token?: string; apiKey?: string }, body: object, channelId = 'room') =>
    call<MessageResponse>(t.baseUrl, `/api/channels/${channelId}/messages`, { ...auth, body });
  const errorMessage = (reply: Reply<unknown>) => (reply.body as ErrorBody).error.message;
  const stored = (id: string) =>
    t.server.context.store.db.selectFrom('messages').select(['id', 'text', 'custom']).where('app_id', '=', chat.appId).where('id', '=', id).executeTakeFirst();
  const eventCount = async () =>
    Number(
      (
        await t.server.context.store.db
          .selectFrom('channel_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('app_id', '=', chat.appId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    hook = await startHookReceiver();
    // The receiver is on loopback: reachable (and saveable over http) only because the operator allowlists it.
    t = await startTestServer(kind, { outbound: { allowHosts: [hook.hostPort] } });
    chat = await chatApp(t, ['ann', 'bob', 'carl']);
    await createChannel(t, u('ann'), { type: 'messaging', id: 'room', members: ['bob'] });
    secret = (await setBeforeSendHook(t.baseUrl, chat.apiKey, { url: hook.url, timeoutMs: 1000, onFailure: 'reject' })) ?? '';
    expect(secret).toMatch(/^whsec_/);
  });
  beforeEach(() => hook.answer(() => ({ body: {} })));
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await t.close();
    await hook.close();
  });

  it('asks the hook with a signed request about the message, its sender and channel, and stores an allowed message as sent', async () => {
    const before = hook.received.length;
    const reply = await post(u('ann'), { id: 'm-allow', text: 'hello', custom: { mood: 'fine' } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body.message.text).toBe('hello');
    expect(hook.received.length).toBe(before + 1);
    const request = hook.received.at(-1)!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(verifiesWith(secret, request)).toBe(true);
    // The verifier can fail: another secret, or a body changed by one byte, does not verify.
    expect(verifiesWith(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, request)).toBe(false);
    expect(verifiesWith(secret, { ...request, raw: request.raw.replace('hello', 'hellp') })).toBe(false);
    expect(request.body.type).toBe('message.before_send');
    expect(request.body.data.message).toMatchObject({ id: 'm-allow', channelId: 'room', userId: 'ann', text: 'hello', custom: { mood: 'fine' }, parentId: null, showInChannel: true });
    expect(request.body.data.user).toMatchObject({ id: 'ann', name: 'ann' });
    expect(request.body.data.channel).toMatchObject({ id: 'room', type: 'messaging', memberCount: 2 });
    expect((await stored('m-allow'))?.text).toBe('hello');
  });

  it('takes { allow: true } and an empty answer as allow', async () => {
    hook.answer((_, i) => (i === 0 ? { body: { allow: true } } : { body: '' }));
    const asked = hook.received.length;
    expect((await post(u('ann'), { text: 'one' })).status).toBe(201);
    expect((await post(u('ann'), { text: 'two' })).status).toBe(201);
    expect(hook.received.length).toBe(asked + 2);
  });

  it('rejects with 403 message_rejected and the reason (one line, trimmed), storing nothing and sending no event', async () => {
    hook.answer(() => ({ body: { reject: true, reason: '  No links to\nthat site, please.  ' } }));
    const events = await eventCount();
    const reply = await post(u('ann'), { id: 'm-reject', text: 'see evil.example' });
    expectError(reply, 'message_rejected', 403);
    expect(errorMessage(reply)).toBe('No links to that site, please.');
    expect(await stored('m-reject')).toBeUndefined();
    expect(await eventCount()).toBe(events);
    expectError(await call(t.baseUrl, '/api/messages/m-reject', u('bob')), 'message_not_found', 404);
  });

  it('cuts a long reason to 500 characters and gives a reason when the hook gives none', async () => {
    hook.answer((_, i) => ({ body: i === 0 ? { reject: true, reason: 'x'.repeat(5000) } : { allow: false } }));
    const long = await post(u('ann'), { text: 'a' });
    expectError(long, 'message_rejected', 403);
    expect([...errorMessage(long)].length).toBe(500);
    const none = await post(u('ann'), { text: 'b' });
    expectError(none, 'message_rejected', 403);
    expect(errorMessage(none)).toBe('the app rejected this message');
  });

  it('stores and broadcasts the replacement of text and custom, and a resend of its id answers it without asking again', async () => {
    const ws = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'bob' });
    const client = realtimeClient(t, ws.wsToken);
    clients.push(client);
    client.connect();
    const sub = client.newSubscription('room');
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');

    // The hook edits the message it was sent and returns it whole: only text, attachments and custom count.
    hook.answer((request) => ({ body: { message: { ...request.body.data.message, text: 'what the ****', userId: 'bob', custom: { moderated: true } } } }));
    const body = { id: 'm-replace', text: 'what the heck' };
    const reply = await post(u('ann'), body);
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body.message).toMatchObject({ text: 'what the ****', custom: { moderated: true }, userId: 'ann' });
    const [publication] = await got.until(1);
    expect((publication?.data as MessageNewEvent).message).toMatchObject({ id: 'm-replace', text: 'what the ****', userId: 'ann' });
    expect(await stored('m-replace')).toMatchObject({ text: 'what the ****' });

    const asked = hook.received.length;
    const again = await post(u('ann'), body);
    expect(again.status).toBe(200);
    expect(again.body.message.text).toBe('what the ****');
    expect(hook.received.length).toBe(asked);
  });

  it('replaces attachments, checked as a sender\'s are', async () => {
    hook.answer(() => ({ body: { message: { attachments: [{ type: 'image', url: 'https://cdn.example/cat.png', name: 'cat.png' }] } } }));
    const reply = await post(u('ann'), { text: 'a cat', attachments: [{ type: 'file', url: 'https://files.example/x.bin' }] });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body.message.attachments).toEqual([{ type: 'image', url: 'https://cdn.example/cat.png', name: 'cat.png' }]);
    expect(reply.body.message.text).toBe('a cat');
  });

  it('counts a replacement that breaks the rules a sender is held to as a hook failure (here: reject, 503)', async () => {
    const bad: unknown[] = [
      { message: { text: 'x'.repeat(5001) } },
      { message: { text: '   ', attachments: [] } },
      { message: { attachments: [{ type: 'image', url: 'javascript:alert(1)' }] } },
      { message: { attachments: Array.from({ length: 11 }, () => ({ type: 'file', url: 'https://a.example/f' })) } },
      { message: { custom: { big: 'x'.repeat(6000) } } },
      { message: { text: 'nul \u0000 inside' } },
      { message: { text: 42 } },
      { message: 'rewrite' },
      { reject: 'yes' },
      [],
    ];
    for (const answer of bad) {
      hook.answer(() => ({ body: answer }));
      const asked = hook.received.length;
      const reply = await post(u('ann'), { text: 'fine text' });
      expectError(reply, 'before_send_hook_unavailable', 503);
      // A usable-looking answer that cannot be used is not asked again: it would be the same answer.
      expect(hook.received.length, JSON.stringify(answer)).toBe(asked + 1);
    }
  });

  it('asks about thread replies too, with their parent', async () => {
    const parent = await send(t, u('ann'), 'room', { text: 'parent' });
    const reply = await post(u('bob'), { text: 'reply', parentId: parent.id });
    expect(reply.status).toBe(201);
    expect(hook.received.at(-1)?.body.data.message).toMatchObject({ userId: 'bob', parentId: parent.id, text: 'reply', showInChannel: false });
  });

  it('does not show the hook a message the sender may not send (not a member)', async () => {
    const asked = hook.received.length;
    const reply = await post(u('carl'), { text: 'let me in' });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(hook.received.length).toBe(asked);
  });

  it('is not asked about the server\'s own sends (API key), which are stored even when the hook would reject', async () => {
    hook.answer(() => ({ body: { reject: true, reason: 'no' } }));
    const asked = hook.received.length;
    const reply = await post({ apiKey: chat.apiKey }, { text: 'from the backend', userId: 'ann' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const system = await post({ apiKey: chat.apiKey }, { text: 'system notice' });
    expect(system.status).toBe(201);
    expect(hook.received.length).toBe(asked);
  });

  it('leaves no way around it over the socket: a client publish is refused and nothing is stored', async () => {
    hook.answer(() => ({ body: { reject: true, reason: 'no' } }));
    const ws: CreateTokenResponse = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ann' });
    const client = realtimeClient(t, ws.wsToken);
    clients.push(client);
    client.connect();
    const sub = client.newSubscription('room');
    sub.subscribe();
    await next(sub, 'subscribed');
    const events = await eventCount();
    const asked = hook.received.length;
    await expect(sub.publish({ text: 'around the hook' })).rejects.toMatchObject({ code: 103 });
    expect(await eventCount()).toBe(events);
    expect(hook.received.length).toBe(asked);
    const history = await call<{ messages: Message[] }>(t.baseUrl, '/api/channels/room/messages?limit=200', u('bob'));
    expect(history.body.messages.some((m) => m.text === 'around the hook')).toBe(false);
  });
});
