import type { DeleteUserMessagesResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

type Auth = { token?: string; apiKey?: string };

/**
 * Who may delete a user's messages in bulk: a channel's moderators in that
 * channel, app moderators and the key anywhere, all softly; only the key
 * erases (hard). Every refusal writes nothing.
 */
describe.each(storeKinds)('who may delete a user\'s messages in bulk on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let appModerator: string;
  let appAdmin: string;
  let room: string;
  let other: string;
  const u = (id: string): Auth => ({ token: chat.users[id]?.token ?? '' });

  const bulk = (auth: Auth, userId: string, body: unknown): Promise<Reply<DeleteUserMessagesResponse>> =>
    call<DeleteUserMessagesResponse>(t.baseUrl, `/api/moderation/users/${userId}/delete-messages`, { ...auth, body });
  const live = async (userId: string) =>
    (await t.server.context.store.db.selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('user_id', '=', userId).where('deleted_at', 'is', null).execute()).length;

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'mo', 'sam']);
    ({ token: appModerator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'appmod', role: 'moderator' }));
    ({ token: appAdmin } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'appadmin', role: 'admin' }));
    room = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'mo', 'sam'] })).channel.id;
    other = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'sam'] })).channel.id;
    const role = await call(t.baseUrl, `/api/channels/${room}/members/mo`, { ...u('alice'), method: 'PATCH', body: { role: 'moderator' } });
    expect(role.status).toBe(200);
  });
  afterAll(() => t.close());

  async function spam(): Promise<void> {
    await send(t, u('sam'), room, { text: 'spam' });
    await send(t, u('sam'), other, { text: 'spam' });
  }

  it('refuses a plain member, in a channel and app-wide, and writes nothing', async () => {
    await spam();
    const before = await live('sam');
    const inRoom = await expectEvents(t, chat.appId, room, [], () => bulk(u('bob'), 'sam', { channelId: room }));
    expectError(inRoom.result, 'forbidden', 403);
    expectError(await bulk(u('bob'), 'sam', {}), 'forbidden', 403);
    // Not even one's own messages, through this route: a user deletes their own one by one.
    expectError(await bulk(u('sam'), 'sam', { channelId: room }), 'forbidden', 403);
    expect(await live('sam')).toBe(before);
  });

  it('lets a channel moderator delete softly in their channel, but not app-wide, not hard, not elsewhere', async () => {
    await spam();
    expectError(await bulk(u('mo'), 'sam', {}), 'forbidden', 403);
    expectError(await bulk(u('mo'), 'sam', { channelId: room, hard: true }), 'forbidden', 403);
    // A channel the moderator is not in does not exist for them.
    expectError(await bulk(u('mo'), 'sam', { channelId: other }), 'channel_not_found', 404);
    const reply = await bulk(u('mo'), 'sam', { channelId: room });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.deleted).toBeGreaterThan(0);
    const left = await t.server.context.store.db.selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('user_id', '=', 'sam').where('channel_id', '=', other).where('deleted_at', 'is', null).execute();
    expect(left.length).toBeGreaterThan(0);
  });

  it('lets app moderators, app admins and the key delete softly app-wide, and only the key erase', async () => {
    await spam();
    expect((await bulk({ token: appModerator }, 'sam', {})).status).toBe(200);
    expect(await live('sam')).toBe(0);
    await spam();
    expect((await bulk({ token: appAdmin }, 'sam', {})).body).toEqual({ deleted: 2 });
    await spam();
    // The app moderator reaches a channel they are not a member of.
    expect((await bulk({ token: appModerator }, 'sam', { channelId: other })).body).toEqual({ deleted: 1 });
    const rows = async () => (await t.server.context.store.db.selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('user_id', '=', 'sam').execute()).length;
    const before = await rows();
    expectError(await bulk({ token: appModerator }, 'sam', { hard: true }), 'forbidden', 403);
    expectError(await bulk({ token: appAdmin }, 'sam', { hard: true, channelId: room }), 'forbidden', 403);
    expect(await rows()).toBe(before);
    const reply = await bulk({ apiKey: chat.apiKey }, 'sam', { hard: true, channelId: room });
    expect(reply.body.deleted).toBeGreaterThan(0);
    expect((await bulk({ apiKey: chat.apiKey }, 'sam', { hard: true })).status).toBe(200);
    expect(await rows()).toBe(0);
  });

  it('answers 0 for a user with nothing to delete (or no such user), and logs it', async () => {
    expect((await bulk({ apiKey: chat.apiKey }, 'nobody-here', {})).body).toEqual({ deleted: 0 });
    const audit = await call<{ entries: Array<{ targetId: string; details: Record<string, unknown> }> }>(t.baseUrl, '/api/moderation/audit?targetId=nobody-here', { apiKey: chat.apiKey });
    expect(audit.body.entries.map((e) => e.details.count)).toEqual([0]);
  });

  it('answers bad input with 400 and unknown channels with 404', async () => {
    expectError(await bulk({ apiKey: chat.apiKey }, 'sam', { channelId: room, purge: true }), 'validation_failed', 400);
    expectError(await bulk({ apiKey: chat.apiKey }, 'sam', { hard: 'yes' }), 'validation_failed', 400);
    expectError(await bulk({ apiKey: chat.apiKey }, 'sam', '{"hard":'), 'invalid_json', 400);
    expectError(await bulk({ apiKey: chat.apiKey }, 'bad%20id', {}), 'validation_failed', 400);
    expectError(await bulk({ apiKey: chat.apiKey }, 'sam', { channelId: 'no-such-channel' }), 'channel_not_found', 404);
    expectError(await call(t.baseUrl, '/api/moderation/users/sam/delete-messages', { body: {} }), 'unauthorized', 401);
  });
});
