import type { ChannelState, MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

type Auth = { token?: string; apiKey?: string };

describe.each(storeKinds)('frozen channels on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let appModerator: string;
  const u = (id: string): Auth => ({ token: chat.users[id]?.token ?? '' });
  const key = (): Auth => ({ apiKey: chat.apiKey });

  const patch = (auth: Auth, channelId: string, body: Record<string, unknown>): Promise<Reply<ChannelState>> =>
    call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, { ...auth, method: 'PATCH', body });
  const post = (auth: Auth, channelId: string, text: string): Promise<Reply<MessageResponse>> =>
    call<MessageResponse>(t.baseUrl, `/api/channels/${channelId}/messages`, { ...auth, body: { text } });
  const react = (auth: Auth, messageId: string, type = 'like'): Promise<Reply> =>
    call(t.baseUrl, `/api/messages/${messageId}/reactions`, { ...auth, body: { type } });
  const unreact = (auth: Auth, messageId: string, type = 'like'): Promise<Reply> =>
    call(t.baseUrl, `/api/messages/${messageId}/reactions/${type}`, { ...auth, method: 'DELETE' });

  /** A channel of alice (owner), bob (member), mo (channel moderator) and appmod (an app moderator who joined). */
  async function channel(type: 'messaging' | 'public' = 'messaging'): Promise<string> {
    const id = (await createChannel(t, u('alice'), { type, members: ['bob', 'mo', 'appmod'] })).channel.id;
    const role = await call(t.baseUrl, `/api/channels/${id}/members/mo`, { ...u('alice'), method: 'PATCH', body: { role: 'moderator' } });
    expect(role.status, JSON.stringify(role.body)).toBe(200);
    return id;
  }

  async function freeze(channelId: string, frozen = true): Promise<void> {
    const reply = await patch(u('mo'), channelId, { frozen });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.channel.frozen).toBe(frozen);
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'mo', 'dave']);
    ({ token: appModerator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'appmod', role: 'moderator' }));
  });
  afterAll(() => t.close());

  it('is set by channel moderators+, app moderators and the key (not plain members), and shows on the channel and in channel.updated', async () => {
    const id = await channel();
    const refused = await expectEvents(t, chat.appId, id, [], () => patch(u('bob'), id, { frozen: true }));
    expectError(refused.result, 'forbidden', 403);
    expect((await call<ChannelState>(t.baseUrl, `/api/channels/${id}`, u('bob'))).body.channel.frozen).toBe(false);

    const { events } = await expectEvents(t, chat.appId, id, ['channel.updated'], () => freeze(id));
    const event = events[0]?.event;
    expect(event?.type === 'channel.updated' ? event.channel.frozen : undefined).toBe(true);
    expect((await call<ChannelState>(t.baseUrl, `/api/channels/${id}`, u('bob'))).body.channel.frozen).toBe(true);

    // An app moderator who is not a member, and the key, reach it too.
    const outsider = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    expect((await patch({ token: appModerator }, outsider, { frozen: true })).body.channel?.frozen).toBe(true);
    expect((await patch(key(), outsider, { frozen: false })).body.channel?.frozen).toBe(false);
    // A channel moderator of one channel has no say over another.
    expectError(await patch(u('mo'), outsider, { frozen: true }), 'channel_not_found', 404);
  });

  it('refuses a member\'s send with 403 channel_frozen and writes nothing', async () => {
    const id = await channel();
    await freeze(id);
    const { result } = await expectEvents(t, chat.appId, id, [], () => post(u('bob'), id, 'hello?'));
    expectError(result, 'channel_frozen', 403);
    const rows = await t.server.context.store.db.selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('channel_id', '=', id).execute();
    expect(rows).toHaveLength(0);
  });

  it('refuses a member\'s reaction, and taking one back, with 403 channel_frozen', async () => {
    const id = await channel();
    const message = await send(t, u('alice'), id, { text: 'react to me' });
    expect((await react(u('bob'), message.id, 'smile')).status).toBe(201);
    await freeze(id);
    const added = await expectEvents(t, chat.appId, id, [], () => react(u('bob'), message.id));
    expectError(added.result, 'channel_frozen', 403);
    expectError(await unreact(u('bob'), message.id, 'smile'), 'channel_frozen', 403);
    const reactions = await t.server.context.store.db.selectFrom('reactions').select(['user_id', 'type']).where('app_id', '=', chat.appId).where('message_id', '=', message.id).execute();
    expect(reactions).toEqual([{ user_id: 'bob', type: 'smile' }]);
  });

  it('refuses a member\'s typing with 403 channel_frozen', async () => {
    const id = await channel();
    await freeze(id);
    expectError(await call(t.baseUrl, `/api/channels/${id}/typing`, { ...u('bob'), body: { typing: true } }), 'channel_frozen', 403);
  });

  it('lets channel moderators, the owner, app moderators and the server send and react', async () => {
    const id = await channel();
    await freeze(id);
    const sent = await expectEvents(t, chat.appId, id, ['message.new', 'message.new', 'message.new', 'message.new'], async () => [
      await send(t, u('mo'), id, { text: 'moderator' }),
      await send(t, u('alice'), id, { text: 'owner' }),
      await send(t, { token: appModerator }, id, { text: 'app moderator' }),
      await send(t, key(), id, { text: 'server as bob', userId: 'bob' }),
    ]);
    const first = sent.result[0];
    if (!first) throw new Error('no message');
    expect((await react(u('mo'), first.id)).status).toBe(201);
    expect((await react({ token: appModerator }, first.id)).status).toBe(201);
    expect((await unreact(u('mo'), first.id)).status).toBe(200);
  });

  it('unfreezing lets members send and react again', async () => {
    const id = await channel();
    await freeze(id);
    expectError(await post(u('bob'), id, 'frozen'), 'channel_frozen', 403);
    await freeze(id, false);
    const message = await send(t, u('bob'), id, { text: 'thawed' });
    expect((await react(u('bob'), message.id)).status).toBe(201);
  });

  it('still lets members read, and anyone join an open channel, while frozen', async () => {
    const id = await channel('public');
    await send(t, u('alice'), id, { text: 'before the freeze' });
    await freeze(id);
    const history = await call<{ messages: Array<{ text: string }> }>(t.baseUrl, `/api/channels/${id}/messages`, u('bob'));
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m) => m.text)).toEqual(['before the freeze']);
    const join = await call(t.baseUrl, `/api/channels/${id}/members`, { ...u('dave'), body: { userIds: ['dave'] } });
    expect(join.status, JSON.stringify(join.body)).toBe(200);
    expectError(await post(u('dave'), id, 'new here'), 'channel_frozen', 403);
  });

  it('lets a member delete their own message while frozen (taking words back adds nothing)', async () => {
    const id = await channel();
    const message = await send(t, u('bob'), id, { text: 'regret' });
    await freeze(id);
    const { result } = await expectEvents(t, chat.appId, id, ['message.deleted'], () => call(t.baseUrl, `/api/messages/${message.id}`, { ...u('bob'), method: 'DELETE' }));
    expect(result.status, JSON.stringify(result.body)).toBe(200);
  });

  it('refuses a member\'s edit with 403 channel_frozen, and lets a moderator edit their own', async () => {
    const id = await channel();
    const mine = await send(t, u('bob'), id, { text: 'before' });
    const theirs = await send(t, u('mo'), id, { text: 'moderator before' });
    await freeze(id);
    const refused = await expectEvents(t, chat.appId, id, [], () => call(t.baseUrl, `/api/messages/${mine.id}`, { ...u('bob'), method: 'PATCH', body: { text: 'after' } }));
    expectError(refused.result, 'channel_frozen', 403);
    const stored = await t.server.context.store.db.selectFrom('messages').select('text').where('app_id', '=', chat.appId).where('id', '=', mine.id).executeTakeFirstOrThrow();
    expect(stored.text).toBe('before');
    const edited = await call<MessageResponse>(t.baseUrl, `/api/messages/${theirs.id}`, { ...u('mo'), method: 'PATCH', body: { text: 'moderator after' } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
  });

  it('refuses a member\'s pin with 403 channel_frozen, and lets a moderator pin', async () => {
    const id = await channel();
    const message = await send(t, u('alice'), id, { text: 'pin me' });
    await freeze(id);
    const refused = await expectEvents(t, chat.appId, id, [], () => call(t.baseUrl, `/api/messages/${message.id}/pin`, { ...u('bob'), method: 'POST' }));
    expectError(refused.result, 'channel_frozen', 403);
    const pinned = await call(t.baseUrl, `/api/messages/${message.id}/pin`, { ...u('mo'), method: 'POST' });
    expect(pinned.status, JSON.stringify(pinned.body)).toBeLessThan(300);
  });
});
