import type { MessageResponse, TransientChannelEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('typing in a thread that is not there, on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  /** Message ids no typing may name as its thread: each is missing, elsewhere, deleted or a reply itself. */
  const notThreads: Record<string, string> = {};
  let parent = '';

  async function connect(user: string, channel?: string) {
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId: user });
    const client = realtimeClient(t, wsToken);
    clients.push(client);
    client.connect();
    if (!channel) {
      await next(client, 'connected');
      return { client, got: undefined };
    }
    const sub = client.newSubscription(channel);
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    return { client, got };
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['ann', 'bo']);
    await createChannel(t, u('ann'), { type: 'messaging', id: 'room', members: ['bo'] });
    await createChannel(t, u('ann'), { type: 'messaging', id: 'elsewhere', members: ['bo'] });
    parent = (await send(t, u('ann'), 'room', { text: 'thread start' })).id;
    const reply = await send(t, u('ann'), 'room', { text: 'a reply', parentId: parent });
    const deleted = await send(t, u('ann'), 'room', { text: 'gone soon' });
    expect((await call<MessageResponse>(t.baseUrl, `/api/messages/${deleted.id}`, { method: 'DELETE', ...u('ann') })).status).toBe(200);
    const other = await send(t, u('ann'), 'elsewhere', { text: 'another channel' });
    const otherApp = await chatApp(t, ['zed'], 'Other');
    await createChannel(t, { token: otherApp.users.zed?.token ?? '' }, { type: 'messaging', id: 'room' });
    const foreign = await send(t, { token: otherApp.users.zed?.token ?? '' }, 'room', { text: 'same channel id, other app' });
    Object.assign(notThreads, { missing: 'no-such-message', elsewhere: other.id, deleted: deleted.id, reply: reply.id, 'other app': foreign.id });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t?.close());

  it('refuses a REST typing whose parentId names no live top-level message of the channel, and publishes nothing for it', async () => {
    const { got } = await connect('bo', 'room');
    for (const [what, parentId] of Object.entries(notThreads)) {
      for (const typing of [true, false]) {
        const reply = await call(t.baseUrl, '/api/channels/room/typing', { ...u('ann'), body: { typing, parentId } });
        expectError(reply, 'validation_failed', 400);
        expect((reply.body as { error: { message: string } }).error.message, what).toContain('parentId');
      }
    }
    expect((await call(t.baseUrl, '/api/channels/room/typing', { ...u('ann'), body: { typing: true, parentId: parent } })).status).toBe(204);
    const items = await got?.until(1);
    // The first event bo sees is the start in the real thread: none of the refused ones went out.
    expect(items?.map((p) => p.data as TransientChannelEvent)).toEqual([expect.objectContaining({ type: 'typing.start', userId: 'ann', parentId: parent })]);
  });

  it('refuses the same over the socket rpc, which goes through the same check', async () => {
    const { got } = await connect('bo', 'room');
    const { client } = await connect('ann');
    for (const parentId of Object.values(notThreads)) {
      await expect(client.rpc('typing', { channel: 'room', typing: true, parentId })).rejects.toMatchObject({ code: 103 });
    }
    // The stop ends the previous test's start (else the throttle would swallow this start).
    await client.rpc('typing', { channel: 'room', typing: false, parentId: parent });
    await client.rpc('typing', { channel: 'room', typing: true, parentId: parent });
    const items = await got?.until(2);
    expect(items?.map((p) => p.data as TransientChannelEvent)).toEqual([
      expect.objectContaining({ type: 'typing.stop', userId: 'ann', parentId: parent }),
      expect.objectContaining({ type: 'typing.start', userId: 'ann', parentId: parent }),
    ]);
  });
});
