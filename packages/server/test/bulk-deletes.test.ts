import type { AuditPage, ChannelState, CreateTokenResponse, DeleteUserMessagesResponse, Message, MessageDeletedEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents, streamOf } from './helpers/events.js';
import { call, issueTokens, type Reply } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

type Auth = { token?: string; apiKey?: string };

describe.each(storeKinds)('deleting all of a user\'s messages on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];
  const u = (id: string): Auth => ({ token: chat.users[id]?.token ?? '' });
  const key = (): Auth => ({ apiKey: chat.apiKey });

  const bulk = (auth: Auth, userId: string, body: Record<string, unknown>): Promise<Reply<DeleteUserMessagesResponse>> =>
    call<DeleteUserMessagesResponse>(t.baseUrl, `/api/moderation/users/${userId}/delete-messages`, { ...auth, body });

  async function stored(id: string) {
    return t.server.context.store.db.selectFrom('messages').selectAll().where('app_id', '=', chat.appId).where('id', '=', id).executeTakeFirst();
  }
  async function messagesOf(userId: string, channelId?: string) {
    let q = t.server.context.store.db.selectFrom('messages').selectAll().where('app_id', '=', chat.appId).where('user_id', '=', userId);
    if (channelId !== undefined) q = q.where('channel_id', '=', channelId);
    return q.orderBy('seq').execute();
  }
  async function auditOf(userId: string) {
    const reply = await call<AuditPage>(t.baseUrl, `/api/moderation/audit?action=messages.delete&targetId=${userId}`, key());
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body.entries;
  }

  /** Two channels where `spammer` wrote: A (with a mention, a reply in alice's thread, a pin) and B. */
  async function scene(spammer: string): Promise<{ a: string; b: string; parent: Message; inA: Message[]; inB: Message[] }> {
    const a = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', spammer] })).channel.id;
    const b = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', spammer] })).channel.id;
    const parent = await send(t, u('alice'), a, { text: 'a thread' });
    const inA = [
      await send(t, u(spammer), a, { text: 'buy now @bob' }),
      await send(t, u(spammer), a, { text: 'in the thread', parentId: parent.id }),
      await send(t, u(spammer), a, { text: 'pinned spam' }),
    ];
    const pin = await call(t.baseUrl, `/api/messages/${inA[2]?.id}/pin`, { ...u('alice'), method: 'POST' });
    expect(pin.status, JSON.stringify(pin.body)).toBeLessThan(300);
    const inB = [await send(t, u(spammer), b, { text: 'elsewhere 1' }), await send(t, u(spammer), b, { text: 'elsewhere 2' })];
    return { a, b, parent, inA, inB };
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'sam', 'sid', 'sue', 'sly', 'stu']);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  it('soft in one channel: tombstones with their message.deleted events, mentions, thread counts and pins undone, the other channel untouched', async () => {
    const { a, b, parent, inA, inB } = await scene('sam');
    const bobBefore = await t.server.context.store.db.selectFrom('members').select('unread_mentions').where('app_id', '=', chat.appId).where('channel_id', '=', a).where('user_id', '=', 'bob').executeTakeFirstOrThrow();
    expect(bobBefore.unread_mentions).toBe(1);
    expect(Number((await stored(parent.id))?.reply_count)).toBe(1);

    const { result, events } = await expectEvents(t, chat.appId, a, ['message.deleted', 'message.deleted', 'message.deleted'], () => bulk(key(), 'sam', { channelId: a }));
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body).toEqual({ deleted: 3 });
    const deletedEvents = events.map((e) => e.event as MessageDeletedEvent);
    expect(deletedEvents.map((e) => e.message.id)).toEqual(inA.map((m) => m.id));
    for (const e of deletedEvents) {
      expect(e.hard).toBe(false);
      expect(e.message.text).toBe('');
      expect(e.message.deletedAt).not.toBeNull();
    }
    for (const row of await messagesOf('sam', a)) {
      expect(row.deleted_at).not.toBeNull();
      expect(row.text).toBe('');
      expect(row.pinned_at).toBeNull();
    }
    expect((await messagesOf('sam', b)).map((r) => [r.text, r.deleted_at])).toEqual(inB.map((m) => [m.text, null]));
    const bobAfter = await t.server.context.store.db.selectFrom('members').select('unread_mentions').where('app_id', '=', chat.appId).where('channel_id', '=', a).where('user_id', '=', 'bob').executeTakeFirstOrThrow();
    expect(bobAfter.unread_mentions).toBe(0);
    expect(Number((await stored(parent.id))?.reply_count)).toBe(0);
    expect((await stored(parent.id))?.deleted_at).toBeNull();

    // Done again, there is nothing left to delete: no event.
    const again = await expectEvents(t, chat.appId, a, [], () => bulk(key(), 'sam', { channelId: a }));
    expect(again.result.body).toEqual({ deleted: 0 });
  });

  it('soft in the whole app: every channel, each with its events and its audit entry', async () => {
    const { a, b } = await scene('sid');
    const reply = await bulk(key(), 'sid', {});
    expect(reply.body).toEqual({ deleted: 5 });
    for (const row of await messagesOf('sid')) expect(row.deleted_at).not.toBeNull();
    expect((await streamOf(t, chat.appId, a)).filter((e) => e.type === 'message.deleted')).toHaveLength(3);
    expect((await streamOf(t, chat.appId, b)).filter((e) => e.type === 'message.deleted')).toHaveLength(2);
    const entries = await auditOf('sid');
    expect(entries.map((e) => [e.channelId, e.details.count, e.details.hard, e.actorId, e.targetType]).sort()).toEqual(
      [
        [a, 3, false, null, 'user'],
        [b, 2, false, null, 'user'],
      ].sort(),
    );
  });

  it('hard in the whole app: rows erased (tombstones too), a parent takes its replies first, reactions go, the last message moves back', async () => {
    const b = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'sue'] })).channel.id;
    const keep = await send(t, u('alice'), b, { text: 'keep me' });
    const spam = await send(t, u('sue'), b, { text: 'spam parent' });
    const reply = await send(t, u('bob'), b, { text: 'a reply to spam', parentId: spam.id });
    const tombstone = await send(t, u('sue'), b, { text: 'deleted earlier' });
    expect((await call(t.baseUrl, `/api/messages/${tombstone.id}`, { ...u('sue'), method: 'DELETE' })).status).toBe(200);
    expect((await call(t.baseUrl, `/api/messages/${spam.id}/reactions`, { ...u('alice'), body: { type: 'like' } })).status).toBe(201);
    const before = await call<ChannelState>(t.baseUrl, `/api/channels/${b}`, u('alice'));
    expect(before.body.lastMessage?.id).toBe(tombstone.id);

    const { result, events } = await expectEvents(t, chat.appId, b, ['message.deleted', 'message.deleted', 'message.deleted'], () => bulk(key(), 'sue', { hard: true }));
    expect(result.body).toEqual({ deleted: 3 });
    const deleted = events.map((e) => e.event as MessageDeletedEvent);
    expect(deleted.map((e) => e.message.id)).toEqual([reply.id, spam.id, tombstone.id]);
    for (const e of deleted) {
      expect(e.hard).toBe(true);
      expect(e.message.text).toBe('');
    }
    expect(await messagesOf('sue')).toEqual([]);
    expect(await stored(reply.id)).toBeUndefined();
    const reactions = await t.server.context.store.db.selectFrom('reactions').select('user_id').where('app_id', '=', chat.appId).where('message_id', '=', spam.id).execute();
    expect(reactions).toEqual([]);
    const after = await call<ChannelState>(t.baseUrl, `/api/channels/${b}`, u('alice'));
    expect(after.body.lastMessage?.id).toBe(keep.id);
    expect((await auditOf('sue')).map((e) => [e.details.count, e.details.hard])).toEqual([[3, true]]);
  });

  it('a reply erased under a parent that stays is uncounted from its thread', async () => {
    const a = (await createChannel(t, u('alice'), { type: 'messaging', members: ['stu'] })).channel.id;
    const parent = await send(t, u('alice'), a, { text: 'thread' });
    await send(t, u('stu'), a, { text: 'r1', parentId: parent.id });
    await send(t, u('alice'), a, { text: 'r2', parentId: parent.id });
    expect(Number((await stored(parent.id))?.reply_count)).toBe(2);
    expect((await bulk(key(), 'stu', { channelId: a, hard: true })).body).toEqual({ deleted: 1 });
    expect(Number((await stored(parent.id))?.reply_count)).toBe(1);
  });

  it('a shadow-banned user\'s messages go without an event: nobody else ever heard of them', async () => {
    const a = (await createChannel(t, u('alice'), { type: 'messaging', members: ['sly'] })).channel.id;
    await send(t, u('sly'), a, { text: 'seen by all' });
    const banned = await call(t.baseUrl, '/api/moderation/bans', { ...key(), body: { userId: 'sly', channelId: a, shadow: true } });
    expect([200, 201], JSON.stringify(banned.body)).toContain(banned.status);
    const hidden = await send(t, u('sly'), a, { text: 'seen by nobody' });
    expect(Number((await stored(hidden.id))?.shadowed)).toBe(1);
    const { result } = await expectEvents(t, chat.appId, a, ['message.deleted'], () => bulk(key(), 'sly', { channelId: a }));
    expect(result.body).toEqual({ deleted: 2 });
    expect((await stored(hidden.id))?.deleted_at).not.toBeNull();
  });

  it('reaches a subscribed client as message.deleted publications', async () => {
    const a = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'sam'] })).channel.id;
    const spam = [await send(t, u('sam'), a, { text: 'x' }), await send(t, u('sam'), a, { text: 'y' })];
    const ws: CreateTokenResponse = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'bob' });
    const client = realtimeClient(t, ws.wsToken);
    clients.push(client);
    client.connect();
    const sub = client.newSubscription(a);
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    expect((await bulk(key(), 'sam', { channelId: a })).body).toEqual({ deleted: 2 });
    const items = await got.until(2);
    const data = items.map((p) => p.data as MessageDeletedEvent);
    expect(data.map((d) => [d.type, d.message.id, d.hard])).toEqual(spam.map((m) => ['message.deleted', m.id, false]));
  });
});
