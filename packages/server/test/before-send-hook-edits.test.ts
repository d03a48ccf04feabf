import type { ErrorBody, MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { type HookReceiver, setBeforeSendHook, startHookReceiver, verifiesWith } from './helpers/hook-receiver.js';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

// Without this, a message the hook refuses gets through in two steps: sent clean, then edited.
describe.each(storeKinds)('the before-send hook and edits on %s', (kind) => {
  let hook: HookReceiver;
  let t: TestServer;
  let chat: ChatApp;
  let secret: string;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const send = (id: string, text: string) => call<MessageResponse>(t.baseUrl, '/api/channels/room/messages', { ...u('ann'), body: { id, text } });
  const edit = (auth: { token?: string; apiKey?: string }, id: string, body: object) =>
    call<MessageResponse>(t.baseUrl, `/api/messages/${id}`, { ...auth, method: 'PATCH', body });
  const storedText = async (id: string) =>
    (await t.server.context.store.db.selectFrom('messages').select('text').where('app_id', '=', chat.appId).where('id', '=', id).executeTakeFirst())?.text;
  // The hook refuses any message containing "forbidden", and masks "darn".
  const moderate = () =>
    hook.answer((request) => {
      const text = request.body.data.message.text;
      if (text.includes('forbidden')) return { body: { reject: true, reason: 'no forbidden words' } };
      if (text.includes('darn')) return { body: { message: { text: text.replaceAll('darn', '****') } } };
      return { body: {} };
    });

  beforeAll(async () => {
    hook = await startHookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [hook.hostPort] } });
    chat = await chatApp(t, ['ann', 'bob']);
    await createChannel(t, u('ann'), { type: 'messaging', id: 'room', members: ['bob'] });
    secret = (await setBeforeSendHook(t.baseUrl, chat.apiKey, { url: hook.url, timeoutMs: 1000, onFailure: 'reject' })) ?? '';
  });
  beforeEach(moderate);
  afterAll(async () => {
    await t.close();
    await hook.close();
  });

  it('asks about an edit as the message it would leave, marked as an edit, and refuses what the hook refuses', async () => {
    expect((await send('e-1', 'all clean')).status).toBe(201);
    const asked = hook.received.length;
    const reply = await edit(u('ann'), 'e-1', { text: 'now forbidden' });
    expect(reply.status).toBe(403);
    expect((reply.body as unknown as ErrorBody).error).toMatchObject({ code: 'message_rejected', message: 'no forbidden words' });
    expect(hook.received.length).toBe(asked + 1);
    const request = hook.received.at(-1)!;
    expect(verifiesWith(secret, request)).toBe(true);
    expect(request.body.data.edit).toBe(true);
    expect(request.body.data.message).toMatchObject({ id: 'e-1', userId: 'ann', text: 'now forbidden' });
    expect(await storedText('e-1')).toBe('all clean');
  });

  it('stores the replacement of an edit, and an edit of custom alone is judged with the text it keeps', async () => {
    expect((await send('e-2', 'fine')).status).toBe(201);
    const replaced = await edit(u('ann'), 'e-2', { text: 'oh darn' });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.message.text).toBe('oh ****');
    expect(await storedText('e-2')).toBe('oh ****');
    const customOnly = await edit(u('ann'), 'e-2', { custom: { mood: 'calm' } });
    expect(customOnly.status).toBe(200);
    expect(hook.received.at(-1)?.body.data.message).toMatchObject({ text: 'oh ****', custom: { mood: 'calm' } });
  });

  it('does not ask about edits it would refuse anyway, nor about the backend’s edits', async () => {
    expect((await send('e-3', 'mine')).status).toBe(201);
    const asked = hook.received.length;
    expect((await edit(u('bob'), 'e-3', { text: 'forbidden by bob' })).status).toBe(403);
    expect(hook.received.length).toBe(asked);
    const byKey = await edit({ apiKey: chat.apiKey }, 'e-3', { text: 'forbidden, but from the backend' });
    expect(byKey.status).toBe(200);
    expect(hook.received.length).toBe(asked);
  });
});
