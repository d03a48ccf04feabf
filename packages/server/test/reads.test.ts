import type { ChannelState, MessageReadEvent, ReadResponse, ReadsPage, UnreadResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const MEMBERS = ['alice', 'bob', 'carol', 'dave'];

/** What the test knows of a message, to predict unread counts without asking the server. */
interface Sent {
  id: string;
  seq: number;
  userId: string;
  inChannel: boolean;
  silent: boolean;
  deleted: boolean;
}

describe.each(storeKinds)('read state on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  /** The model of channel `room`: its messages and each member's read position. */
  const sent: Sent[] = [];
  const position = new Map(MEMBERS.map((m) => [m, 0]));

  /** Asserts `change` wrote exactly `types` to `room`'s stream, at consecutive offsets. */
  const inRoom = <T>(types: Parameters<typeof expectEvents>[3], change: () => Promise<T>) => expectEvents(t, chat.appId, 'room', types, change);

  /** Sends to `room` and records the message in the model, moving the sender's position as the server does. */
  async function say(user: string, body: { text: string; parentId?: string; showInChannel?: boolean; silent?: boolean }): Promise<Sent> {
    const message = await send(t, u(user), 'room', body);
    const entry = { id: message.id, seq: message.seq, userId: user, inChannel: message.showInChannel, silent: body.silent === true, deleted: false };
    sent.push(entry);
    if (entry.inChannel) position.set(user, Math.max(position.get(user) ?? 0, entry.seq));
    return entry;
  }

  function expectedUnread(user: string): number {
    const at = position.get(user) ?? 0;
    return sent.filter((m) => m.seq > at && m.userId !== user && !m.deleted && !m.silent && m.inChannel).length;
  }

  const markRead = (user: string, body?: Record<string, unknown>): Promise<Reply<ReadResponse>> =>
    call<ReadResponse>(t.baseUrl, '/api/channels/room/read', { ...u(user), method: 'POST', ...(body ? { body } : {}) });
  const unreadOf = async (user: string): Promise<UnreadResponse> => {
    const reply = await call<UnreadResponse>(t.baseUrl, '/api/users/me/unread', u(user));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  };

  /** Every member's count, three ways: the model, the channel's membership, and /api/users/me/unread. */
  async function expectCountsExact(): Promise<void> {
    for (const user of MEMBERS) {
      const expected = expectedUnread(user);
      const channel = await call<ChannelState>(t.baseUrl, '/api/channels/room', u(user));
      expect(channel.body.membership?.unreadCount, user).toBe(expected);
      const summary = await unreadOf(user);
      const room = summary.channels.find((c) => c.channelId === 'room');
      expect(room?.unreadCount ?? 0, user).toBe(expected);
      // The position the count was taken at: a client drops message.new events at or below it.
      if (room && room.unreadCount > 0) expect(room.lastMessageSeq, user).toBe(channel.body.channel.lastMessageSeq);
      expect(summary.total).toBe(summary.channels.reduce((sum, c) => sum + c.unreadCount, 0));
    }
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, [...MEMBERS, 'zed']);
    await createChannel(t, u('alice'), { type: 'messaging', id: 'room', members: MEMBERS.slice(1) });
  });
  afterAll(() => t.close());

  it('counts unread exactly across sends by several users, thread replies and silent messages', async () => {
    await expectCountsExact();
    for (const text of ['one', 'two', 'three']) await say('alice', { text });
    await say('bob', { text: 'four' });
    await say('bob', { text: 'five' });
    await expectCountsExact();
    expect(expectedUnread('carol')).toBe(5);
    const first = sent[0]?.id ?? '';
    await say('carol', { text: 'only in the thread', parentId: first });
    await expectCountsExact();
    await say('dave', { text: 'also in the channel', parentId: first, showInChannel: true });
    await say('alice', { text: 'shh', silent: true });
    await expectCountsExact();
    expect(expectedUnread('carol')).toBe(6);
    expect(expectedUnread('bob')).toBe(1);
  });

  it('marks read up to a middle message, emits one message.read, and never moves a position back', async () => {
    const middle = sent[3];
    if (!middle) throw new Error('the first test sends the messages');
    const { result: reply, events } = await inRoom(['message.read'], () => markRead('carol', { messageId: middle.id }));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    position.set('carol', middle.seq);
    expect(reply.body.read).toMatchObject({ userId: 'carol', lastReadSeq: middle.seq, lastReadMessageId: middle.id });
    expect(reply.body.unreadCount).toBe(expectedUnread('carol'));
    expect((events[0]?.event as MessageReadEvent).read).toEqual(reply.body.read);

    // Backwards and in place: the position stays, nothing is written to the stream.
    await inRoom([], async () => {
      const back = await markRead('carol', { messageId: sent[1]?.id });
      expect(back.status).toBe(200);
      expect(back.body.read).toEqual(reply.body.read);
      expect(back.body.unreadCount).toBe(expectedUnread('carol'));
      expect((await markRead('carol', { messageId: middle.id })).body.read).toEqual(reply.body.read);
    });
    await expectCountsExact();
  });

  it('stays exact and never negative across deletes and reads by several users at once', async () => {
    // DELETE /api/messages/:id is built in parallel; a soft delete is this column being set, so it is set here directly.
    const victim = sent.find((m) => m.userId === 'bob' && m.seq > (position.get('carol') ?? 0));
    if (!victim) throw new Error('bob sent after carol’s position');
    await t.server.context.store.db.updateTable('messages').set({ deleted_at: Date.now() }).where('app_id', '=', chat.appId).where('id', '=', victim.id).execute();
    victim.deleted = true;
    await expectCountsExact();

    const { result: replies, events } = await inRoom(['message.read', 'message.read', 'message.read'], () =>
      Promise.all(['bob', 'carol', 'dave'].map((user) => markRead(user))),
    );
    const newest = Math.max(...sent.map((m) => m.seq));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ read: { lastReadSeq: newest }, unreadCount: 0 });
    }
    for (const user of ['bob', 'carol', 'dave']) position.set(user, newest);
    expect(events.map((e) => (e.event as MessageReadEvent).read.userId).sort()).toEqual(['bob', 'carol', 'dave']);
    await expectCountsExact();

    // The newest message deleted after everyone read it: still 0, not -1.
    const last = sent.at(-1);
    if (last) {
      await t.server.context.store.db.updateTable('messages').set({ deleted_at: Date.now() }).where('app_id', '=', chat.appId).where('id', '=', last.id).execute();
      last.deleted = true;
    }
    await expectCountsExact();
    await say('alice', { text: 'after the deletes' });
    await expectCountsExact();
  });

  it('counts mentions until read: down at a middle read, reset to 0 reading to the newest', async () => {
    await markRead('carol');
    position.set('carol', Math.max(...sent.map((m) => m.seq)));
    const m1 = await say('alice', { text: 'first @carol' });
    await say('bob', { text: 'second', parentId: m1.id });
    await say('dave', { text: 'third for @carol and @bob' });
    await say('alice', { text: 'no mention' });
    let summary = await unreadOf('carol');
    expect(summary.totalMentions).toBe(2);
    expect(summary.channels.find((c) => c.channelId === 'room')).toMatchObject({ unreadMentions: 2, unreadCount: expectedUnread('carol') });

    const middle = await markRead('carol', { messageId: m1.id });
    position.set('carol', m1.seq);
    expect(middle.body.unreadCount).toBe(expectedUnread('carol'));
    summary = await unreadOf('carol');
    expect(summary.totalMentions).toBe(1);
    const state = await call<ChannelState>(t.baseUrl, '/api/channels/room', u('carol'));
    expect(state.body.membership?.unreadMentions).toBe(1);

    await markRead('carol', {});
    position.set('carol', Math.max(...sent.map((m) => m.seq)));
    summary = await unreadOf('carol');
    expect(summary).toEqual({ total: 0, totalMentions: 0, channels: [] });
    expect((await unreadOf('bob')).totalMentions).toBe(1);
    await expectCountsExact();
  });

  it('keeps mention counts exact while sends that mention readers race their reads', async () => {
    const readers = ['carol', 'dave'];
    const results = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => say(i % 2 ? 'alice' : 'bob', { text: `ping ${i} @carol @dave` }).then(() => 201)),
      ...Array.from({ length: 8 }, (_, i) => markRead(readers[i % 2] ?? 'carol').then((r) => r.status)),
    ]);
    expect(results.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    const db = t.server.context.store.db;
    for (const user of readers) {
      const member = await db.selectFrom('members').selectAll().where('app_id', '=', chat.appId).where('channel_id', '=', 'room').where('user_id', '=', user).executeTakeFirstOrThrow();
      position.set(user, member.last_read_seq);
      const pending = await db
        .selectFrom('mentions')
        .innerJoin('messages', (join) => join.onRef('messages.app_id', '=', 'mentions.app_id').onRef('messages.id', '=', 'mentions.message_id'))
        .select('mentions.message_id')
        .where('mentions.app_id', '=', chat.appId)
        .where('mentions.channel_id', '=', 'room')
        .where('mentions.user_id', '=', user)
        .where('messages.seq', '>', member.last_read_seq)
        .execute();
      expect(member.unread_mentions, user).toBe(pending.length);
      expect((await unreadOf(user)).totalMentions, user).toBe(pending.length);
    }
    await expectCountsExact();
    for (const user of readers) {
      expect((await markRead(user)).body.unreadCount).toBe(0);
      position.set(user, Math.max(...sent.map((m) => m.seq)));
      expect((await unreadOf(user)).totalMentions).toBe(0);
    }
  });

  it('refuses non-members (404), the server (403) and messages of other channels (400), writing nothing', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'side', members: ['bob'] });
    const elsewhere = await send(t, u('alice'), 'side', { text: 'not in room' });
    const rowBefore = await t.server.context.store.db.selectFrom('members').selectAll().where('app_id', '=', chat.appId).where('channel_id', '=', 'room').where('user_id', '=', 'carol').executeTakeFirstOrThrow();

    await inRoom([], async () => {
      expectError(await markRead('zed'), 'channel_not_found', 404);
      expectError(await call(t.baseUrl, '/api/channels/room/read', u('zed')), 'channel_not_found', 404);
      expectError(await markRead('carol', { messageId: elsewhere.id }), 'validation_failed', 400);
      expectError(await markRead('carol', { messageId: 'no-such-message' }), 'validation_failed', 400);
      expectError(await markRead('carol', { messageId: 42 }), 'validation_failed', 400);
      expectError(await call(t.baseUrl, '/api/channels/room/read', { apiKey: chat.apiKey, body: {} }), 'forbidden', 403);
      expectError(await call(t.baseUrl, '/api/users/me/unread', { apiKey: chat.apiKey }), 'forbidden', 403);
      expectError(await markRead('carol', { messageId: sent[0]?.id, extra: 1 }), 'validation_failed', 400);
    });
    const rowAfter = await t.server.context.store.db.selectFrom('members').selectAll().where('app_id', '=', chat.appId).where('channel_id', '=', 'room').where('user_id', '=', 'carol').executeTakeFirstOrThrow();
    expect(rowAfter).toEqual(rowBefore);
  });

  it('lists every member’s read position in pages by user id, for readers only', async () => {
    const first = await call<ReadsPage>(t.baseUrl, '/api/channels/room/read?limit=3', u('bob'));
    expect(first.status).toBe(200);
    expect(first.body.reads.map((r) => r.userId)).toEqual(['alice', 'bob', 'carol']);
    expect(first.body.next).not.toBeNull();
    const second = await call<ReadsPage>(t.baseUrl, `/api/channels/room/read?limit=3&cursor=${first.body.next}`, u('bob'));
    expect(second.body).toMatchObject({ reads: [{ userId: 'dave' }], next: null });
    for (const read of [...first.body.reads, ...second.body.reads]) expect(read.lastReadSeq, read.userId).toBe(position.get(read.userId));
    const byServer = await call<ReadsPage>(t.baseUrl, '/api/channels/room/read', { apiKey: chat.apiKey });
    expect(byServer.body.reads).toEqual([...first.body.reads, ...second.body.reads]);
    expectError(await call(t.baseUrl, '/api/channels/room/read?cursor=AA', u('bob')), 'validation_failed', 400);
  });

  it('a livestream keeps read state but emits no message.read and lists no receipts', async () => {
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'livestream', id: 'stage', members: ['alice', 'bob'] });
    await send(t, u('alice'), 'stage', { text: 'live' });
    const { result: reply } = await expectEvents(t, chat.appId, 'stage', [], () => call<ReadResponse>(t.baseUrl, '/api/channels/stage/read', { ...u('bob'), body: {} }));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ read: { userId: 'bob', lastReadSeq: 1 }, unreadCount: 0 });
    const bob = await call<ChannelState>(t.baseUrl, '/api/channels/stage', u('bob'));
    expect(bob.body.membership).toMatchObject({ lastReadSeq: 1, unreadCount: 0 });
    // Anyone in the app reads a livestream, but its receipts stay private; marking read needs joining.
    expect((await call<ReadsPage>(t.baseUrl, '/api/channels/stage/read', u('zed'))).body).toEqual({ reads: [], next: null });
    expect((await call<ReadsPage>(t.baseUrl, '/api/channels/stage/read', u('alice'))).body).toEqual({ reads: [], next: null });
    expectError(await call(t.baseUrl, '/api/channels/stage/read', { ...u('zed'), body: {} }), 'forbidden', 403);
  });

  it('reports only channels with something unread, and a channel of another app is 404', async () => {
    // The race above may have left bob with nothing unread in room; one more message makes the list certain.
    await say('alice', { text: 'one more for bob' });
    const summary = await unreadOf('bob');
    expect(summary.channels.every((c) => c.unreadCount > 0 || c.unreadMentions > 0)).toBe(true);
    expect(summary.channels.map((c) => c.channelId)).toEqual(['room', 'side']);
    expect(summary.total).toBe(expectedUnread('bob') + 1);
    const other = await chatApp(t, ['olga'], 'Other');
    await createChannel(t, { token: other.users.olga?.token ?? '' }, { type: 'messaging', id: 'theirs' });
    expectError(await call(t.baseUrl, '/api/channels/theirs/read', { ...u('bob'), body: {} }), 'channel_not_found', 404);
  });
});
