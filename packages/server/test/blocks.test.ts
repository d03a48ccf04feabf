import type { BlocksResponse, ChannelState, MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeKinds)('blocks on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  const block = (user: string, target: string, method = 'POST'): Promise<Reply<BlocksResponse>> =>
    call<BlocksResponse>(t.baseUrl, `/api/users/${target}/block`, { ...u(user), method });
  const blocksOf = async (user: string): Promise<BlocksResponse['blocks']> => {
    const reply = await call<BlocksResponse>(t.baseUrl, '/api/users/me/blocks', u(user));
    expect(reply.status).toBe(200);
    return reply.body.blocks;
  };

  /** What a channel holds, to prove a refused send wrote nothing. */
  async function footprint(channelId: string): Promise<{ messages: number; offset: number }> {
    const db = t.server.context.store.db;
    const messages = await db.selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('channel_id', '=', channelId).execute();
    const channel = await db.selectFrom('channels').select('last_offset').where('app_id', '=', chat.appId).where('id', '=', channelId).executeTakeFirstOrThrow();
    return { messages: messages.length, offset: Number(channel.last_offset) };
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'dave']);
  });
  afterAll(() => t.close());

  it('blocks idempotently and answers the whole list, newest first', async () => {
    expect(await blocksOf('alice')).toEqual([]);
    const first = await block('alice', 'bob');
    expect(first.status).toBe(200);
    expect(first.body.blocks.map((b) => b.userId)).toEqual(['bob']);
    await pause(3);
    const second = await block('alice', 'carol');
    expect(second.body.blocks.map((b) => b.userId)).toEqual(['carol', 'bob']);
    const again = await block('alice', 'bob');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(second.body);
    expect(await blocksOf('alice')).toEqual(second.body.blocks);
    // A block list is one's own.
    expect(await blocksOf('bob')).toEqual([]);
  });

  it('refuses blocking oneself (400), unknown users (404) and the server key (403)', async () => {
    expectError(await block('dave', 'dave'), 'validation_failed', 400);
    expectError(await block('dave', 'nobody'), 'user_not_found', 404);
    expectError(await block('dave', 'nobody', 'DELETE'), 'user_not_found', 404);
    expectError(await call(t.baseUrl, '/api/users/bob/block', { apiKey: chat.apiKey, method: 'POST' }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/users/me/blocks', { apiKey: chat.apiKey }), 'forbidden', 403);
    expect(await blocksOf('dave')).toEqual([]);
    // A user of another app is unknown here.
    await chatApp(t, ['erin'], 'Other');
    expectError(await block('dave', 'erin'), 'user_not_found', 404);
  });

  it('refuses a blocked user’s messages in a direct channel with the blocker, and lets them through once unblocked', async () => {
    const dm = await createChannel(t, u('bob'), { type: 'messaging', distinct: true, members: ['alice', 'bob'] });
    const channelId = dm.channel.id;
    await block('alice', 'bob', 'DELETE');
    await send(t, u('bob'), channelId, { text: 'hi alice' });

    await block('alice', 'bob');
    const before = await footprint(channelId);
    expectError(await call(t.baseUrl, `/api/channels/${channelId}/messages`, { ...u('bob'), body: { text: 'are you there?' } }), 'user_blocked', 403);
    expect(await footprint(channelId)).toEqual(before);
    // The block is one-way: the blocker may still write.
    await send(t, u('alice'), channelId, { text: 'I blocked you' });

    // Only direct channels: a group both are in still takes bob's messages.
    await createChannel(t, u('carol'), { type: 'messaging', id: 'group', members: ['alice', 'bob'] });
    await send(t, u('bob'), 'group', { text: 'still here' });
    // A distinct group of three is not a one-to-one conversation either.
    const trio = await createChannel(t, u('carol'), { type: 'messaging', distinct: true, members: ['alice', 'bob', 'carol'] });
    await send(t, u('bob'), trio.channel.id, { text: 'hello both' });

    const unblocked = await block('alice', 'bob', 'DELETE');
    expect(unblocked.status).toBe(200);
    expect(unblocked.body.blocks.map((b) => b.userId)).toEqual(['carol']);
    const through = await call<MessageResponse>(t.baseUrl, `/api/channels/${channelId}/messages`, { ...u('bob'), body: { text: 'back again' } });
    expect(through.status).toBe(201);
    const state = await call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, u('alice'));
    expect(state.body.lastMessage?.text).toBe('back again');
    // Unblocking again changes nothing.
    expect((await block('alice', 'bob', 'DELETE')).body).toEqual(unblocked.body);
  });

  it('keeps a deleted user on the list, so they can still be unblocked', async () => {
    await block('carol', 'dave');
    const deleted = await call(t.baseUrl, '/api/users/dave', { apiKey: chat.apiKey, method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await blocksOf('carol')).map((b) => b.userId)).toEqual(['dave']);
    expectError(await block('carol', 'dave'), 'user_not_found', 404);
    expect((await block('carol', 'dave', 'DELETE')).body.blocks).toEqual([]);
    expectError(await block('carol', 'dave', 'DELETE'), 'user_not_found', 404);
  });
});
