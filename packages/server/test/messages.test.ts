import type { ChannelState, Message, MessageResponse, MessagesPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('message history, edits and deletes on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const server = () => ({ apiKey: chat.apiKey });
  const page = (channelId: string, query: string, auth: { token?: string; apiKey?: string }) =>
    call<MessagesPage>(t.baseUrl, `/api/channels/${channelId}/messages${query}`, auth);
  const seqs = (messages: Message[]) => messages.map((m) => m.seq);
  const db = () => t.server.context.store.db;

  /** The channel `walk`: 60 top-level messages, 3 of them deleted, 5 thread-only replies and 2 shown in the channel. */
  let walk: { all: number[]; deleted: number[]; threadOnly: number[] };

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'dave']);
    await createChannel(t, u('alice'), { type: 'messaging', id: 'walk', members: ['bob', 'dave'] });
    const top: Message[] = [];
    for (let i = 1; i <= 60; i++) top.push(await send(t, u(i % 2 ? 'alice' : 'bob'), 'walk', { text: `message ${i}` }));
    const parent = top[9];
    if (!parent) throw new Error('no parent');
    const threadOnly: number[] = [];
    const shown: number[] = [];
    for (let i = 0; i < 5; i++) threadOnly.push((await send(t, u('bob'), 'walk', { text: `reply ${i}`, parentId: parent.id })).seq);
    for (let i = 0; i < 2; i++) shown.push((await send(t, u('alice'), 'walk', { text: `shown ${i}`, parentId: parent.id, showInChannel: true })).seq);
    const deleted: number[] = [];
    for (const index of [0, 30, 59]) {
      const target = top[index];
      if (!target) throw new Error('no target');
      const reply = await call<MessageResponse>(t.baseUrl, `/api/messages/${target.id}`, { ...u(index % 2 ? 'bob' : 'alice'), method: 'DELETE' });
      expect(reply.status).toBe(200);
      deleted.push(target.seq);
    }
    walk = { all: [...top.map((m) => m.seq), ...shown].sort((a, b) => b - a), deleted, threadOnly };
  });
  afterAll(() => t.close());

  it('walks the whole history with before=, limit 7, newest first, with no gap or duplicate', async () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const reply = await page('walk', `?limit=7${before === undefined ? '' : `&before=${before}`}`, u('dave'));
      expect(reply.status).toBe(200);
      const got = seqs(reply.body.messages);
      expect(got).toEqual([...got].sort((a, b) => b - a));
      expect(got.length).toBeLessThanOrEqual(7);
      seen.push(...got);
      if (!reply.body.hasMore) break;
      expect(got).toHaveLength(7);
      before = got.at(-1);
    }
    expect(seen).toEqual(walk.all);
    expect(seen).toHaveLength(62);
    for (const seq of walk.threadOnly) expect(seen).not.toContain(seq);
  });

  it('walks it forwards with after=, each page the 7 just after and newest first', async () => {
    const seen: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 20; pages++) {
      const reply = await page('walk', `?limit=7&after=${after}`, u('bob'));
      const got = seqs(reply.body.messages);
      expect(got).toEqual([...got].sort((a, b) => b - a));
      expect(got.every((s) => s > after)).toBe(true);
      seen.unshift(...got);
      const newest = got[0];
      if (!reply.body.hasMore || newest === undefined) break;
      after = newest;
    }
    expect(seen).toEqual(walk.all);
  });

  it('keeps deleted messages as tombstones and shows replies sent with showInChannel', async () => {
    const reply = await page('walk', '?limit=200', u('alice'));
    expect(reply.body.hasMore).toBe(false);
    const tombstones = reply.body.messages.filter((m) => m.deletedAt !== null);
    expect(seqs(tombstones).sort((a, b) => b - a)).toEqual([...walk.deleted].sort((a, b) => b - a));
    for (const m of tombstones) expect(m).toMatchObject({ text: '', attachments: [], mentionedUsers: [], custom: {} });
    const shown = reply.body.messages.filter((m) => m.parentId !== null);
    expect(shown.map((m) => m.text).sort()).toEqual(['shown 0', 'shown 1']);
    expect(shown.every((m) => m.showInChannel)).toBe(true);
  });

  it('pages at the boundaries of before, after and around', async () => {
    const newest = walk.all[0] ?? 0;
    const oldest = walk.all.at(-1) ?? 0;
    expect(oldest).toBe(1);
    const first = await page('walk', '', u('alice'));
    expect(seqs(first.body.messages)).toEqual(walk.all.slice(0, 25));
    expect(first.body.hasMore).toBe(true);
    expect(await page('walk', '?before=1', u('alice'))).toMatchObject({ status: 200, body: { messages: [], hasMore: false } });
    expect(seqs((await page('walk', '?before=3&limit=5', u('alice'))).body.messages)).toEqual([2, 1]);
    expect((await page('walk', `?before=${newest + 1}&limit=3`, u('alice'))).body).toMatchObject({ hasMore: true });
    expect(seqs((await page('walk', `?before=${newest + 1}&limit=3`, u('alice'))).body.messages)).toEqual(walk.all.slice(0, 3));
    expect((await page('walk', `?after=${newest}`, u('alice'))).body).toEqual({ messages: [], hasMore: false });
    const afterZero = await page('walk', '?after=0&limit=5', u('alice'));
    expect(seqs(afterZero.body.messages)).toEqual([5, 4, 3, 2, 1]);
    expect(afterZero.body.hasMore).toBe(true);
    const lastFive = await page('walk', `?after=${walk.all[5]}&limit=5`, u('alice'));
    expect(seqs(lastFive.body.messages)).toEqual(walk.all.slice(0, 5));
    expect(lastFive.body.hasMore).toBe(false);

    expect(seqs((await page('walk', '?around=20&limit=5', u('alice'))).body.messages)).toEqual([22, 21, 20, 19, 18]);
    expect(seqs((await page('walk', '?around=20&limit=4', u('alice'))).body.messages)).toEqual([22, 21, 20, 19]);
    expect(seqs((await page('walk', '?around=20&limit=1', u('alice'))).body.messages)).toEqual([20]);
    const start = await page('walk', '?around=1&limit=5', u('alice'));
    expect(seqs(start.body.messages)).toEqual([3, 2, 1]);
    expect(start.body.hasMore).toBe(true);
    const end = await page('walk', `?around=${newest}&limit=6`, u('alice'));
    expect(seqs(end.body.messages)).toEqual(walk.all.slice(0, 3));
    // A thread-only reply is not in the timeline, but paging around its sequence still works.
    const aroundHidden = walk.threadOnly[0] ?? 0;
    expect(seqs((await page('walk', `?around=${aroundHidden}&limit=2`, u('alice'))).body.messages)).toEqual([
      walk.all.findLast((s) => s > aroundHidden),
      walk.all.find((s) => s < aroundHidden),
    ]);
    const all = await page('walk', '?around=30&limit=200', u('alice'));
    expect(seqs(all.body.messages)).toEqual(walk.all);
    expect(all.body.hasMore).toBe(false);
  });

  it('accepts limit 200 and refuses 201, 0, and more than one of before/after/around', async () => {
    expect((await page('walk', '?limit=200', u('alice'))).status).toBe(200);
    expectError(await page('walk', '?limit=201', u('alice')), 'validation_failed', 400);
    expectError(await page('walk', '?limit=0', u('alice')), 'validation_failed', 400);
    expectError(await page('walk', '?before=10&after=2', u('alice')), 'validation_failed', 400);
    expectError(await page('walk', '?around=10&before=20', u('alice')), 'validation_failed', 400);
    expectError(await page('walk', '?before=-1', u('alice')), 'validation_failed', 400);
  });

  it('hides a members-only channel and its messages from a non-member as 404, and serves readers', async () => {
    expectError(await page('walk', '', u('carol')), 'channel_not_found', 404);
    const [message] = (await page('walk', '?limit=1', u('alice'))).body.messages;
    if (!message) throw new Error('no message');
    expectError(await call(t.baseUrl, `/api/messages/${message.id}`, u('carol')), 'message_not_found', 404);
    expectError(await call(t.baseUrl, `/api/messages/${message.id}`, { ...u('carol'), method: 'PATCH', body: { text: 'x' } }), 'message_not_found', 404);
    expectError(await call(t.baseUrl, `/api/messages/${message.id}`, { ...u('carol'), method: 'DELETE' }), 'message_not_found', 404);
    const got = await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, u('bob'));
    expect(got.status).toBe(200);
    expect(got.body.message).toEqual(message);
    expect((await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, server())).status).toBe(200);
    expectError(await call(t.baseUrl, '/api/messages/no-such-message', u('alice')), 'message_not_found', 404);

    await createChannel(t, u('alice'), { type: 'public', id: 'town-square' });
    await send(t, u('alice'), 'town-square', { text: 'anyone may read this' });
    const publicPage = await page('town-square', '', u('carol'));
    expect(publicPage.status).toBe(200);
    expect(publicPage.body.messages.map((m) => m.text)).toEqual(['anyone may read this']);
  });

  it('answers 404 for ids of another app', async () => {
    const other = await chatApp(t, ['zed'], 'Other');
    const [message] = (await page('walk', '?limit=1', u('alice'))).body.messages;
    if (!message) throw new Error('no message');
    for (const auth of [{ apiKey: other.apiKey }, { token: other.users.zed?.token ?? '' }]) {
      expectError(await page('walk', '', auth), 'channel_not_found', 404);
      expectError(await call(t.baseUrl, `/api/messages/${message.id}`, auth), 'message_not_found', 404);
      expectError(await call(t.baseUrl, `/api/messages/${message.id}/replies`, auth), 'message_not_found', 404);
      expectError(await call(t.baseUrl, `/api/messages/${message.id}`, { ...auth, method: 'PATCH', body: { text: 'mine now' } }), 'message_not_found', 404);
      expectError(await call(t.baseUrl, `/api/messages/${message.id}?hard=true`, { ...auth, method: 'DELETE' }), 'message_not_found', 404);
      expectError(await call(t.baseUrl, `/api/messages/${message.id}/pin`, { ...auth, method: 'POST' }), 'message_not_found', 404);
    }
    expect((await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, u('alice'))).body.message).toEqual(message);
  });

  describe('edits', () => {
    let channelId: string;
    beforeAll(async () => {
      channelId = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'dave'] })).channel.id;
    });
    const edit = (id: string, auth: { token?: string; apiKey?: string }, body: unknown) => call<MessageResponse>(t.baseUrl, `/api/messages/${id}`, { ...auth, method: 'PATCH', body });

    it('lets the author edit, setting editedAt and writing one message.updated', async () => {
      const sent = await send(t, u('alice'), channelId, { text: 'teh first', custom: { mood: 'ok' } });
      expect(sent.editedAt).toBeNull();
      const { result, events } = await expectEvents(t, chat.appId, channelId, ['message.updated'], () => edit(sent.id, u('alice'), { text: 'the first' }));
      expect(result.status).toBe(200);
      expect(result.body.message).toMatchObject({ id: sent.id, seq: sent.seq, text: 'the first', custom: { mood: 'ok' }, createdAt: sent.createdAt });
      expect(result.body.message.editedAt).not.toBeNull();
      expect(result.body.message.updatedAt).toBe(result.body.message.editedAt);
      expect(Date.parse(result.body.message.editedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(sent.createdAt));
      const event = events[0]?.event;
      expect(event?.type === 'message.updated' && event.message).toEqual({ ...result.body.message, ownReactions: [] });

      const withAttachment = await edit(sent.id, u('alice'), { text: '', attachments: [{ type: 'image', url: 'https://example.com/a.png' }], custom: {} });
      expect(withAttachment.status).toBe(200);
      expect(withAttachment.body.message).toMatchObject({ text: '', attachments: [{ type: 'image' }], custom: {} });
      const got = await call<MessageResponse>(t.baseUrl, `/api/messages/${sent.id}`, u('bob'));
      expect(got.body.message).toEqual(withAttachment.body.message);
    });

    it('refuses another member (403), a non-member (404) and a broken edit (400), writing no event', async () => {
      const sent = await send(t, u('alice'), channelId, { text: 'mine' });
      await expectEvents(t, chat.appId, channelId, [], async () => {
        expectError(await edit(sent.id, u('bob'), { text: 'yours' }), 'forbidden', 403);
        expectError(await edit(sent.id, u('carol'), { text: 'yours' }), 'message_not_found', 404);
        expectError(await edit(sent.id, u('alice'), { text: '   ' }), 'validation_failed', 400);
        expectError(await edit(sent.id, u('alice'), {}), 'validation_failed', 400);
        expectError(await edit(sent.id, u('alice'), { text: 'x'.repeat(5001) }), 'validation_failed', 400);
        expectError(await edit(sent.id, u('alice'), { custom: { big: 'x'.repeat(6000) } }), 'validation_failed', 400);
        expectError(await edit(sent.id, u('alice'), { text: 'ok', userId: 'bob' }), 'validation_failed', 400);
      });
      expect((await call<MessageResponse>(t.baseUrl, `/api/messages/${sent.id}`, u('alice'))).body.message).toMatchObject({ text: 'mine', editedAt: null });
      expect((await edit(sent.id, u('alice'), { text: 'x'.repeat(5000) })).status).toBe(200);
    });

    it('lets the server edit any message', async () => {
      const sent = await send(t, u('bob'), channelId, { text: 'typo' });
      const reply = await edit(sent.id, server(), { text: 'fixed by the backend' });
      expect(reply.status).toBe(200);
      expect(reply.body.message).toMatchObject({ userId: 'bob', text: 'fixed by the backend' });
    });

    it('refuses to edit a tombstone with 400', async () => {
      const sent = await send(t, u('alice'), channelId, { text: 'soon gone' });
      expect((await call(t.baseUrl, `/api/messages/${sent.id}`, { ...u('alice'), method: 'DELETE' })).status).toBe(200);
      await expectEvents(t, chat.appId, channelId, [], async () => expectError(await edit(sent.id, u('alice'), { text: 'back' }), 'validation_failed', 400));
    });

    it('moves @mentions with the edited text and keeps the ones given in mentionedUsers', async () => {
      const mentions = async (userId: string) =>
        (await db().selectFrom('members').select('unread_mentions').where('app_id', '=', chat.appId).where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirstOrThrow()).unread_mentions;
      const [bob0, dave0] = [await mentions('bob'), await mentions('dave')];
      const sent = await send(t, u('alice'), channelId, { text: 'hey @bbo', mentionedUsers: ['dave'] });
      expect(sent.mentionedUsers).toEqual(['dave']);
      const fixed = await edit(sent.id, u('alice'), { text: 'hey @bob' });
      expect(fixed.body.message.mentionedUsers).toEqual(['bob', 'dave']);
      expect([await mentions('bob'), await mentions('dave')]).toEqual([bob0 + 1, dave0 + 1]);
      const none = await edit(sent.id, u('alice'), { text: 'hey all' });
      expect(none.body.message.mentionedUsers).toEqual(['dave']);
      expect([await mentions('bob'), await mentions('dave')]).toEqual([bob0, dave0 + 1]);
    });
  });

  describe('deletes', () => {
    let channelId: string;
    const del = (id: string, auth: { token?: string; apiKey?: string }, hard = false) =>
      call<MessageResponse>(t.baseUrl, `/api/messages/${id}${hard ? '?hard=true' : ''}`, { ...auth, method: 'DELETE' });
    const member = (userId: string) =>
      db().selectFrom('members').selectAll().where('app_id', '=', chat.appId).where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirstOrThrow();

    beforeAll(async () => {
      channelId = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'dave'] })).channel.id;
      // The members endpoints are someone else's: make dave a moderator in the store.
      await db().updateTable('members').set({ role: 'moderator' }).where('app_id', '=', chat.appId).where('channel_id', '=', channelId).where('user_id', '=', 'dave').execute();
    });

    it('lets a moderator delete another member’s message, but not a plain member (403, no event)', async () => {
      const sent = await send(t, u('alice'), channelId, { text: 'rude', attachments: [{ type: 'file', url: 'https://example.com/f' }], custom: { a: 1 } });
      await expectEvents(t, chat.appId, channelId, [], async () => expectError(await del(sent.id, u('bob')), 'forbidden', 403));
      const { result, events } = await expectEvents(t, chat.appId, channelId, ['message.deleted'], () => del(sent.id, u('dave')));
      expect(result.status).toBe(200);
      expect(result.body.message).toMatchObject({ id: sent.id, seq: sent.seq, userId: 'alice', text: '', attachments: [], custom: {} });
      expect(result.body.message.deletedAt).not.toBeNull();
      const event = events[0]?.event;
      expect(event?.type === 'message.deleted' && [event.hard, event.message.id, event.message.text]).toEqual([false, sent.id, '']);
      const row = await db().selectFrom('messages').selectAll().where('app_id', '=', chat.appId).where('id', '=', sent.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ text: '', attachments: '[]', custom: '{}', mentioned_users: '[]' });
      expect(row.deleted_at).not.toBeNull();
    });

    it('lets the author delete, and answers a second delete with the same tombstone and no event', async () => {
      const sent = await send(t, u('bob'), channelId, { text: 'oops' });
      const first = await del(sent.id, u('bob'));
      expect(first.status).toBe(200);
      const { result } = await expectEvents(t, chat.appId, channelId, [], () => del(sent.id, u('bob')));
      expect(result.status).toBe(200);
      expect(result.body.message).toEqual(first.body.message);
    });

    it('keeps hard deletes for the server: 403 for users, 204 and one event for the server, then 404', async () => {
      const sent = await send(t, u('alice'), channelId, { text: 'erase me' });
      await expectEvents(t, chat.appId, channelId, [], async () => {
        expectError(await del(sent.id, u('alice'), true), 'forbidden', 403);
        expectError(await del(sent.id, u('dave'), true), 'forbidden', 403);
      });
      const { result, events } = await expectEvents(t, chat.appId, channelId, ['message.deleted'], () => del(sent.id, server(), true));
      expect(result.status).toBe(204);
      expect(result.body).toBeUndefined();
      const event = events[0]?.event;
      expect(event?.type === 'message.deleted' && [event.hard, event.message.id, event.message.text]).toEqual([true, sent.id, '']);
      expect(await db().selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('id', '=', sent.id).executeTakeFirst()).toBeUndefined();
      expectError(await call(t.baseUrl, `/api/messages/${sent.id}`, u('alice')), 'message_not_found', 404);
      await expectEvents(t, chat.appId, channelId, [], async () => expectError(await del(sent.id, server(), true), 'message_not_found', 404));
    });

    it('moves the channel’s last message back when the last one is hard-deleted', async () => {
      const kept = await send(t, u('alice'), channelId, { text: 'stays' });
      const last = await send(t, u('alice'), channelId, { text: 'goes' });
      expect((await call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, u('bob'))).body.lastMessage?.id).toBe(last.id);
      expect((await del(last.id, server(), true)).status).toBe(204);
      const state = await call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, u('bob'));
      expect(state.body.lastMessage?.id).toBe(kept.id);
      expect(state.body.channel.lastMessageAt).toBe(kept.createdAt);
      expect((await send(t, u('alice'), channelId, { text: 'next' })).seq).toBe(last.seq + 1);
    });

    it('uncounts the mentions of a deleted message, only those still unread, never below 0', async () => {
      await db().updateTable('members').set({ unread_mentions: 0 }).where('app_id', '=', chat.appId).where('channel_id', '=', channelId).execute();
      const first = await send(t, u('alice'), channelId, { text: 'first @bob' });
      expect((await member('bob')).unread_mentions).toBe(1);
      // bob reads up to `first` (the reads endpoints are someone else's: as the store would record it).
      await db().updateTable('members').set({ last_read_seq: first.seq, unread_mentions: 0 }).where('app_id', '=', chat.appId).where('channel_id', '=', channelId).where('user_id', '=', 'bob').execute();
      const second = await send(t, u('alice'), channelId, { text: 'second @bob' });
      expect((await member('bob')).unread_mentions).toBe(1);
      expect((await del(first.id, u('alice'))).status).toBe(200);
      expect((await member('bob')).unread_mentions).toBe(1);
      expect((await del(second.id, u('alice'))).status).toBe(200);
      expect((await member('bob')).unread_mentions).toBe(0);
      expect((await del(second.id, u('alice'))).status).toBe(200);
      expect((await member('bob')).unread_mentions).toBe(0);
      const rows = await db().selectFrom('mentions').select('message_id').where('app_id', '=', chat.appId).where('message_id', 'in', [first.id, second.id]).execute();
      expect(rows).toEqual([]);

      const third = await send(t, u('dave'), channelId, { text: 'third @bob @alice' });
      expect([(await member('bob')).unread_mentions, (await member('alice')).unread_mentions]).toEqual([1, 1]);
      // Sending reads the channel up to one's own message, mentions included.
      await send(t, u('alice'), channelId, { text: 'seen it' });
      expect([(await member('bob')).unread_mentions, (await member('alice')).unread_mentions]).toEqual([1, 0]);
      expect((await del(third.id, server(), true)).status).toBe(204);
      expect([(await member('bob')).unread_mentions, (await member('alice')).unread_mentions]).toEqual([0, 0]);
    });

    it('lets an app moderator delete in a channel they are not a member of', async () => {
      const promoted = await call(t.baseUrl, '/api/users', { ...server(), body: { users: [{ id: 'carol', role: 'moderator' }] } });
      expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
      const sent = await send(t, u('bob'), channelId, { text: 'spam' });
      expect((await del(sent.id, u('carol'))).status).toBe(200);
      await call(t.baseUrl, '/api/users', { ...server(), body: { users: [{ id: 'carol', role: 'user' }] } });
    });
  });
});
