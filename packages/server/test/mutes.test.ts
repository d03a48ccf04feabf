import type { ChannelsPage, ChannelState, MutesResponse, UnreadResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeKinds)('user mutes on %s', (kind) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(kind);
  });
  afterAll(() => t.close());

  const tokenOf = (chat: ChatApp, id: string) => ({ token: chat.users[id]?.token ?? '' });
  const mute = (chat: ChatApp, as: string, target: string, method = 'POST'): Promise<Reply<MutesResponse>> =>
    call<MutesResponse>(t.baseUrl, `/api/users/${target}/mute`, { ...tokenOf(chat, as), method });
  const mutesOf = async (chat: ChatApp, as: string): Promise<MutesResponse['mutes']> => {
    const reply = await call<MutesResponse>(t.baseUrl, '/api/users/me/mutes', tokenOf(chat, as));
    expect(reply.status).toBe(200);
    return reply.body.mutes;
  };
  /** The user's unread count of a channel three ways: its state, the channel list and /api/users/me/unread. */
  async function unreadIn(chat: ChatApp, as: string, channelId: string): Promise<{ state: number; list: number; summary: number; total: number }> {
    const state = await call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, tokenOf(chat, as));
    const list = await call<ChannelsPage>(t.baseUrl, '/api/channels', tokenOf(chat, as));
    const summary = await call<UnreadResponse>(t.baseUrl, '/api/users/me/unread', tokenOf(chat, as));
    return {
      state: state.body.membership?.unreadCount ?? -1,
      list: list.body.channels.find((c) => c.channel.id === channelId)?.membership?.unreadCount ?? -1,
      summary: summary.body.channels.find((c) => c.channelId === channelId)?.unreadCount ?? 0,
      total: summary.body.total,
    };
  }

  it('mutes idempotently and answers the whole list, newest first; unmutes likewise', async () => {
    const chat = await chatApp(t, ['alice', 'bob', 'carol']);
    expect(await mutesOf(chat, 'alice')).toEqual([]);
    expect((await mute(chat, 'alice', 'bob')).body.mutes.map((m) => m.userId)).toEqual(['bob']);
    await pause(3);
    const second = await mute(chat, 'alice', 'carol');
    expect(second.status).toBe(200);
    expect(second.body.mutes.map((m) => m.userId)).toEqual(['carol', 'bob']);
    expect((await mute(chat, 'alice', 'bob')).body).toEqual(second.body);
    expect(await mutesOf(chat, 'bob')).toEqual([]);
    expect((await mute(chat, 'alice', 'bob', 'DELETE')).body.mutes.map((m) => m.userId)).toEqual(['carol']);
    expect((await mute(chat, 'alice', 'bob', 'DELETE')).status).toBe(200);
  });

  it('refuses muting oneself (400), unknown users (404) and the key (403)', async () => {
    const chat = await chatApp(t, ['dave']);
    expectError(await mute(chat, 'dave', 'dave'), 'validation_failed', 400);
    expectError(await mute(chat, 'dave', 'nobody'), 'user_not_found', 404);
    expectError(await mute(chat, 'dave', 'nobody', 'DELETE'), 'user_not_found', 404);
    expectError(await call(t.baseUrl, '/api/users/dave/mute', { apiKey: chat.apiKey, method: 'POST' }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/users/me/mutes', { apiKey: chat.apiKey }), 'forbidden', 403);
  });

  it("takes a muted user's messages out of the muter's unread counts everywhere, and only the muter's", async () => {
    const chat = await chatApp(t, ['alice', 'bob', 'carol']);
    await createChannel(t, tokenOf(chat, 'alice'), { type: 'messaging', id: 'room', members: ['bob', 'carol'] });
    await send(t, tokenOf(chat, 'bob'), 'room', { text: 'from bob 1' });
    await send(t, tokenOf(chat, 'carol'), 'room', { text: 'from carol' });
    expect(await unreadIn(chat, 'alice', 'room')).toEqual({ state: 2, list: 2, summary: 2, total: 2 });

    await mute(chat, 'alice', 'bob');
    // Muting takes effect on what was already sent: the count is derived, not stored.
    expect(await unreadIn(chat, 'alice', 'room')).toEqual({ state: 1, list: 1, summary: 1, total: 1 });
    await send(t, tokenOf(chat, 'bob'), 'room', { text: 'from bob 2' });
    expect(await unreadIn(chat, 'alice', 'room')).toEqual({ state: 1, list: 1, summary: 1, total: 1 });
    // carol did not mute bob: his message after hers (her send read the channel up to it) counts for her.
    expect(await unreadIn(chat, 'carol', 'room')).toEqual({ state: 1, list: 1, summary: 1, total: 1 });

    await mute(chat, 'alice', 'bob', 'DELETE');
    expect(await unreadIn(chat, 'alice', 'room')).toEqual({ state: 3, list: 3, summary: 3, total: 3 });
  });

  it("leaves the server's messages counted when the muter mutes users", async () => {
    const chat = await chatApp(t, ['alice', 'bob']);
    await createChannel(t, tokenOf(chat, 'alice'), { type: 'messaging', id: 'news', members: ['bob'] });
    await mute(chat, 'alice', 'bob');
    await send(t, { apiKey: chat.apiKey }, 'news', { text: 'from the backend' });
    await send(t, tokenOf(chat, 'bob'), 'news', { text: 'muted' });
    expect(await unreadIn(chat, 'alice', 'news')).toEqual({ state: 1, list: 1, summary: 1, total: 1 });
  });
});
