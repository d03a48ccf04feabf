import type { ChannelState, Message, MessageResponse, MessagesPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const CROWD = Array.from({ length: 12 }, (_, i) => `user${i}`);

describe.each(storeKinds)('threads on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let channelId: string;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const get = async (id: string) => (await call<MessageResponse>(t.baseUrl, `/api/messages/${id}`, u('alice'))).body.message;
  const replies = (id: string, query = '', auth = u('alice')) => call<MessagesPage>(t.baseUrl, `/api/messages/${id}/replies${query}`, auth);
  const del = (id: string, hard = false) =>
    call(t.baseUrl, `/api/messages/${id}${hard ? '?hard=true' : ''}`, hard ? { apiKey: chat.apiKey, method: 'DELETE' } : { ...u('alice'), method: 'DELETE' });

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'dave', ...CROWD]);
    channelId = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'dave', ...CROWD] })).channel.id;
  });
  afterAll(() => t.close());

  it('keeps replyCount, lastReplyAt and participants on the parent, and a thread summary in message.new', async () => {
    const parent = await send(t, u('alice'), channelId, { text: 'thread start' });
    expect(parent).toMatchObject({ replyCount: 0, lastReplyAt: null, threadParticipants: [] });
    const { result: first, events } = await expectEvents(t, chat.appId, channelId, ['message.new'], () =>
      send(t, u('bob'), channelId, { text: 'first reply', parentId: parent.id }),
    );
    expect(first).toMatchObject({ parentId: parent.id, showInChannel: false });
    const event = events[0]?.event;
    expect(event?.type === 'message.new' && event.thread).toEqual({ id: parent.id, replyCount: 1, lastReplyAt: first.createdAt, threadParticipants: ['bob'] });
    const second = await send(t, u('dave'), channelId, { text: 'second', parentId: parent.id });
    await send(t, u('bob'), channelId, { text: 'third', parentId: parent.id });
    const after = await get(parent.id);
    expect(after).toMatchObject({ replyCount: 3, threadParticipants: ['bob', 'dave'] });
    expect(Date.parse(after.lastReplyAt ?? '')).toBeGreaterThanOrEqual(Date.parse(second.createdAt));
  });

  it('keeps every participant and the count when replies race', async () => {
    const parent = await send(t, u('alice'), channelId, { text: 'race here' });
    const sent = await Promise.all(CROWD.map((id) => send(t, u(id), channelId, { text: `from ${id}`, parentId: parent.id })));
    const after = await get(parent.id);
    expect(after.replyCount).toBe(CROWD.length);
    expect([...after.threadParticipants].sort()).toEqual([...CROWD].sort());
    expect(after.lastReplyAt).toBe(sent.map((m) => m.createdAt).sort().at(-1));
  });

  it('pages a thread newest first with before and after, and keeps thread-only replies out of the channel', async () => {
    const parent = await send(t, u('alice'), channelId, { text: 'long thread' });
    const sent: Message[] = [];
    for (let i = 0; i < 12; i++) sent.push(await send(t, u(i % 2 ? 'bob' : 'dave'), channelId, { text: `r${i}`, parentId: parent.id, showInChannel: i === 5 }));
    await send(t, u('alice'), channelId, { text: 'after the thread' });
    const all = sent.map((m) => m.seq).reverse();

    const seen: number[] = [];
    let query = '?limit=5';
    for (let pages = 0; pages < 5; pages++) {
      const reply = await replies(parent.id, query);
      expect(reply.status).toBe(200);
      const got = reply.body.messages.map((m) => m.seq);
      seen.push(...got);
      if (!reply.body.hasMore) break;
      query = `?limit=5&before=${got.at(-1)}`;
    }
    expect(seen).toEqual(all);
    const afterPage = await replies(parent.id, `?limit=3&after=${sent[2]?.seq}`);
    expect(afterPage.body.messages.map((m) => m.text)).toEqual(['r5', 'r4', 'r3']);
    expect(afterPage.body.hasMore).toBe(true);
    expectError(await replies(parent.id, '?limit=201'), 'validation_failed', 400);
    expectError(await replies(parent.id, '?before=3&after=1'), 'validation_failed', 400);

    const channel = await call<MessagesPage>(t.baseUrl, `/api/channels/${channelId}/messages?limit=20`, u('bob'));
    const texts = channel.body.messages.map((m) => m.text);
    expect(texts.slice(0, 3)).toEqual(['after the thread', 'r5', 'long thread']);
    expect(texts.filter((x) => /^r\d+$/.test(x))).toEqual(['r5']);
    expectError(await call<ChannelState>(t.baseUrl, `/api/channels/${channelId}/messages`, u('carol')), 'channel_not_found', 404);
    expectError(await replies(parent.id, '', u('carol')), 'message_not_found', 404);
  });

  it('refuses a reply to a reply, to a tombstone and to a message of another channel', async () => {
    const parent = await send(t, u('alice'), channelId, { text: 'parent' });
    const reply = await send(t, u('bob'), channelId, { text: 'reply', parentId: parent.id });
    const post = (body: Record<string, unknown>) => call(t.baseUrl, `/api/channels/${channelId}/messages`, { ...u('bob'), body });
    expectError(await post({ text: 'nested', parentId: reply.id }), 'validation_failed', 400);
    const other = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    const elsewhere = await send(t, u('alice'), other, { text: 'elsewhere' });
    expectError(await post({ text: 'cross', parentId: elsewhere.id }), 'validation_failed', 400);
    expect((await del(parent.id)).status).toBe(200);
    expectError(await post({ text: 'too late', parentId: parent.id }), 'validation_failed', 400);
    // The tombstone keeps its thread: replies stay readable.
    expect((await replies(parent.id)).body.messages.map((m) => m.id)).toEqual([reply.id]);
  });

  it('uncounts a deleted reply once, whether soft, soft again, or hard after soft', async () => {
    const parent = await send(t, u('alice'), channelId, { text: 'count me' });
    const [a, b, c] = [
      await send(t, u('alice'), channelId, { text: 'a', parentId: parent.id }),
      await send(t, u('bob'), channelId, { text: 'b', parentId: parent.id }),
      await send(t, u('dave'), channelId, { text: 'c', parentId: parent.id, showInChannel: true }),
    ];
    expect((await get(parent.id)).replyCount).toBe(3);
    expect((await del(a.id)).status).toBe(200);
    expect((await del(a.id)).status).toBe(200);
    expect((await get(parent.id)).replyCount).toBe(2);
    expect((await del(a.id, true)).status).toBe(204);
    expect((await get(parent.id)).replyCount).toBe(2);
    expect((await del(b.id, true)).status).toBe(204);
    expect((await get(parent.id)).replyCount).toBe(1);
    expect((await replies(parent.id)).body.messages.map((m) => m.id)).toEqual([c.id]);
  });

  it('uncounts a reply once and writes one event when the same delete races', async () => {
    const parent = await send(t, u('alice'), channelId, { text: 'racing deletes' });
    const reply = await send(t, u('alice'), channelId, { text: 'delete me', parentId: parent.id });
    await send(t, u('bob'), channelId, { text: 'keep me', parentId: parent.id });
    const { result } = await expectEvents(t, chat.appId, channelId, ['message.deleted'], () => Promise.all(Array.from({ length: 20 }, () => del(reply.id))));
    expect(result.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect((await get(parent.id)).replyCount).toBe(1);
  });

  it('takes the replies with a hard-deleted parent, one message.deleted each, replies first', async () => {
    const parent = await send(t, u('alice'), channelId, { text: 'doomed' });
    const r1 = await send(t, u('bob'), channelId, { text: 'r1 @user0', parentId: parent.id });
    const r2 = await send(t, u('dave'), channelId, { text: 'r2', parentId: parent.id, showInChannel: true });
    const mentionsOf = async () =>
      (await t.server.context.store.db.selectFrom('members').select('unread_mentions').where('app_id', '=', chat.appId).where('channel_id', '=', channelId).where('user_id', '=', 'user0').executeTakeFirstOrThrow())
        .unread_mentions;
    const before = await mentionsOf();
    const { events } = await expectEvents(t, chat.appId, channelId, ['message.deleted', 'message.deleted', 'message.deleted'], () => del(parent.id, true));
    expect(events.map((e) => (e.event.type === 'message.deleted' ? [e.event.message.id, e.event.hard] : null))).toEqual([
      [r1.id, true],
      [r2.id, true],
      [parent.id, true],
    ]);
    for (const id of [parent.id, r1.id, r2.id]) expectError(await call(t.baseUrl, `/api/messages/${id}`, u('alice')), 'message_not_found', 404);
    expect(await mentionsOf()).toBe(before - 1);
    const channel = await call<MessagesPage>(t.baseUrl, `/api/channels/${channelId}/messages?limit=200`, u('alice'));
    expect(channel.body.messages.map((m) => m.id)).not.toContain(r2.id);
  });
});
