import type { MessageResponse, TransientChannelEvent } from '@chatsdk/protocol';
import type { Centrifuge, PublicationContext } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('typing on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const typing = (user: string, channel: string, body: Record<string, unknown>) =>
    call(t.baseUrl, `/api/channels/${channel}/typing`, { ...u(user), body });
  const kinds = (items: PublicationContext[]) => items.map((p) => `${(p.data as TransientChannelEvent).type}:${(p.data as TransientChannelEvent).userId}`);

  async function watch(user: string, channel: string) {
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId: user });
    const client = realtimeClient(t, wsToken);
    clients.push(client);
    client.connect();
    const sub = client.newSubscription(channel);
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    return { client, got };
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['ann', 'bo', 'cy']);
    await createChannel(t, u('ann'), { type: 'messaging', id: 'chat', members: ['bo'] });
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'livestream', id: 'stage', members: ['ann', 'bo'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  it('publishes a throttled start and an explicit stop, with no offset and nothing stored', async () => {
    const { got } = await watch('bo', 'chat');
    const before = await t.server.context.store.db.selectFrom('channels').select('last_offset').where('id', '=', 'chat').executeTakeFirstOrThrow();
    expect((await typing('ann', 'chat', { typing: true })).status).toBe(204);
    // Keystrokes inside the throttle window keep the start alive without publishing again.
    await typing('ann', 'chat', { typing: true });
    await typing('ann', 'chat', { typing: true });
    await typing('ann', 'chat', { typing: false });
    const items = await got.until(2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(kinds(items)).toEqual(['typing.start:ann', 'typing.stop:ann']);
    expect(items.every((p) => p.offset === undefined)).toBe(true);
    const after = await t.server.context.store.db.selectFrom('channels').select('last_offset').where('id', '=', 'chat').executeTakeFirstOrThrow();
    expect(after.last_offset).toBe(before.last_offset);
  });

  it('takes typing over the socket as an rpc, and synthesises a stop after 7 s of silence', { timeout: 15_000 }, async () => {
    // A typing in a thread names a real thread: its parent message.
    const thread = await call<MessageResponse>(t.baseUrl, '/api/channels/chat/messages', { ...u('ann'), body: { text: 'thread' } });
    const parentId = thread.body.message.id;
    const { got } = await watch('bo', 'chat');
    const ann = await watch('ann', 'chat');
    await ann.client.rpc('typing', { channel: 'chat', typing: true, parentId });
    const started = await got.until(1);
    expect(started[0]?.data).toMatchObject({ type: 'typing.start', userId: 'ann', parentId, channelId: 'chat' });
    const stopped = await got.until(2, 9000);
    expect(stopped[1]?.data).toMatchObject({ type: 'typing.stop', userId: 'ann', parentId });
  });

  it('refuses non-members, and a livestream publishes no typing at all', async () => {
    expectError(await typing('cy', 'chat', { typing: true }), 'channel_not_found', 404);
    expectError(await typing('ann', 'chat', { typing: 'yes' }), 'validation_failed', 400);
    const { got } = await watch('bo', 'stage');
    expect((await typing('ann', 'stage', { typing: true })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(got.items).toEqual([]);
    const { client } = await watch('cy', 'stage');
    await expect(client.rpc('typing', { channel: 'chat', typing: true })).rejects.toMatchObject({ code: 103 });
    await expect(client.rpc('nope', {})).rejects.toMatchObject({ code: 104 });
  });
});
