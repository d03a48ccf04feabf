import type { ChannelState, MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('channels on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'dave']);
  });
  afterAll(() => t.close());

  it('creates a messaging channel with its creator as owner and the given members', async () => {
    const reply = await call<ChannelState>(t.baseUrl, '/api/channels', { ...u('alice'), body: { type: 'messaging', id: 'general', name: 'General', members: ['bob'] } });
    expect(reply.status).toBe(201);
    expect(reply.body.channel).toMatchObject({ id: 'general', type: 'messaging', name: 'General', memberCount: 2, createdBy: 'alice', lastMessageSeq: 0 });
    expect(reply.body.membership).toMatchObject({ role: 'owner', unreadCount: 0 });
    expect(reply.body.lastMessage).toBeNull();
  });

  it('hides a members-only channel from non-members as 404', async () => {
    expectError(await call(t.baseUrl, '/api/channels/general', u('carol')), 'channel_not_found', 404);
    const bob = await call<ChannelState>(t.baseUrl, '/api/channels/general', u('bob'));
    expect(bob.status).toBe(200);
    expect(bob.body.membership?.role).toBe('member');
  });

  it('sends a message that becomes the last message and unread for the others', async () => {
    const sent = await call<MessageResponse>(t.baseUrl, '/api/channels/general/messages', { ...u('alice'), body: { text: 'hello @bob' } });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ channelId: 'general', seq: 1, userId: 'alice', text: 'hello @bob', mentionedUsers: ['bob'] });
    const bob = await call<ChannelState>(t.baseUrl, '/api/channels/general', u('bob'));
    expect(bob.body.lastMessage?.id).toBe(sent.body.message.id);
    expect(bob.body.membership).toMatchObject({ unreadCount: 1, unreadMentions: 1 });
    const alice = await call<ChannelState>(t.baseUrl, '/api/channels/general', u('alice'));
    expect(alice.body.membership).toMatchObject({ unreadCount: 0, lastReadSeq: 1 });
  });

  it('refuses a non-member sending to a members-only channel with 404', async () => {
    expectError(await call(t.baseUrl, '/api/channels/general/messages', { ...u('carol'), body: { text: 'hi' } }), 'channel_not_found', 404);
  });

  it('distinct DM creation raced 20 times yields one channel', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call<ChannelState>(t.baseUrl, '/api/channels', { ...u(i % 2 ? 'carol' : 'dave'), body: { type: 'messaging', distinct: true, members: ['carol', 'dave'] } }),
      ),
    );
    const ids = new Set(replies.map((r) => r.body.channel.id));
    expect(replies.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    expect(replies.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(ids.size).toBe(1);
    const rows = await t.server.context.store.db.selectFrom('channels').select('id').where('app_id', '=', chat.appId).where('distinct_key', 'is not', null).execute();
    expect(rows).toHaveLength(1);
  });

  it('50 concurrent sends with one client id create one message', async () => {
    const channel = await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] });
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => call<MessageResponse>(t.baseUrl, `/api/channels/${channel.channel.id}/messages`, { ...u('alice'), body: { id: 'client-1', text: 'once' } })),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(replies.map((r) => r.body.message.seq))).toEqual(new Set([1]));
    const conflict = await call(t.baseUrl, `/api/channels/${channel.channel.id}/messages`, { ...u('alice'), body: { id: 'client-1', text: 'different' } });
    expectError(conflict, 'message_id_conflict', 409);
    const again = await send(t, u('alice'), channel.channel.id, { text: 'next' });
    expect(again.seq).toBe(2);
  });

  it('answers a send with the message it quotes', async () => {
    const quoted = await send(t, u('alice'), 'general', { text: 'the original' });
    const reply = await send(t, u('bob'), 'general', { text: 'quoting', quotedMessageId: quoted.id });
    expect(reply).toMatchObject({ quotedMessageId: quoted.id, quotedMessage: { id: quoted.id, text: 'the original', userId: 'alice' }, ownReactions: [] });
    const plain = await send(t, u('bob'), 'general', { text: 'plain' });
    expect(plain.quotedMessage).toBeNull();
  });
});
