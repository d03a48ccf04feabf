import type { Flag, FlagResponse, FlagsPage, MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('reviewing flags on %s', (kind) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(kind);
  });
  afterAll(() => t.close());

  /** An app with channels `room` and `lobby` of alice, bob and carol, and an app moderator. */
  async function world(): Promise<ChatApp & { mod: string }> {
    const chat = await chatApp(t, ['alice', 'bob', 'carol']);
    const { token: mod } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' });
    for (const id of ['room', 'lobby']) await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id, members: ['alice', 'bob', 'carol'] });
    return { ...chat, mod };
  }
  const tokenOf = (chat: ChatApp, id: string) => chat.users[id]?.token ?? '';
  /** alice's message in `room`, flagged by bob: the flag. */
  async function flagged(chat: ChatApp, text = 'bad words'): Promise<Flag> {
    const message = await send(t, { token: tokenOf(chat, 'alice') }, 'room', { text });
    const reply = await call<FlagResponse>(t.baseUrl, `/api/messages/${message.id}/flag`, { token: tokenOf(chat, 'bob'), body: { reason: 'rude' } });
    expect(reply.status).toBe(201);
    return reply.body.flag;
  }
  const review = (auth: { token?: string; apiKey?: string }, flagId: string, body: Record<string, unknown>): Promise<Reply<{ flag: Flag }>> =>
    call<{ flag: Flag }>(t.baseUrl, `/api/moderation/flags/${flagId}/review`, { ...auth, body });
  const pending = async (chat: ChatApp) => (await call<FlagsPage>(t.baseUrl, '/api/moderation/flags', { apiKey: chat.apiKey })).body.flags.map((f) => f.id);
  const reviewsIn = (chat: ChatApp) =>
    t.server.context.store.db.selectFrom('moderation_audit').selectAll().where('app_id', '=', chat.appId).where('action', '=', 'review').orderBy('created_at').execute();
  const bansOf = (chat: ChatApp, userId: string) =>
    t.server.context.store.db.selectFrom('bans').selectAll().where('app_id', '=', chat.appId).where('user_id', '=', userId).execute();

  it('dismisses: the flag is reviewed with who, why and when, an auto-hidden message shows again, and a new report makes it pending', async () => {
    const chat = await world();
    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { autoHideAfterFlags: 1 } });
    const flag = await flagged(chat, 'looks bad, is fine');
    expect(flag.message?.hidden).toBe(true);

    const { result, events } = await expectEvents(t, chat.appId, 'room', ['message.updated'], () => review({ token: chat.mod }, flag.id, { action: 'dismiss', reason: 'a joke' }));
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.flag).toMatchObject({ id: flag.id, status: 'reviewed', review: { action: 'dismiss', reviewedBy: 'mod', reason: 'a joke' } });
    expect((events[0]!.event as { message: { text: string; hidden?: boolean } }).message).toMatchObject({ text: 'looks bad, is fine' });
    expect((events[0]!.event as { message: { hidden?: boolean } }).message.hidden).toBeUndefined();
    const read = await call<MessageResponse>(t.baseUrl, `/api/messages/${flag.messageId}`, { token: tokenOf(chat, 'carol') });
    expect(read.body.message.text).toBe('looks bad, is fine');
    expect(await pending(chat)).toEqual([]);

    // A report after the review brings it back to the queue; the count starts again from the review, so it
    // takes its own report to hide it again (here one: the threshold).
    const again = await call<FlagResponse>(t.baseUrl, `/api/messages/${flag.messageId}/flag`, { token: tokenOf(chat, 'carol'), body: {} });
    expect(again.body.flag).toMatchObject({ status: 'pending', flagCount: 2 });
    expect(await pending(chat)).toEqual([flag.id]);
    expect((await reviewsIn(chat)).map((r) => [r.actor_id, r.target_id, JSON.parse(r.details).action])).toEqual([['mod', flag.id, 'dismiss']]);
  });

  it('a dismissal without a hidden message writes no event', async () => {
    const chat = await world();
    const flag = await flagged(chat);
    const { result } = await expectEvents(t, chat.appId, 'room', [], () => review({ apiKey: chat.apiKey }, flag.id, { action: 'dismiss' }));
    expect(result.body.flag.review).toMatchObject({ action: 'dismiss', reviewedBy: null });
  });

  it('deletes the message softly with its message.deleted, and leaves the tombstone in the flag', async () => {
    const chat = await world();
    const flag = await flagged(chat);
    const { result, events } = await expectEvents(t, chat.appId, 'room', ['message.deleted'], () => review({ token: chat.mod }, flag.id, { action: 'delete_message', reason: 'rude' }));
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(events[0]!.event).toMatchObject({ hard: false, message: { id: flag.messageId, text: '' } });
    expect(result.body.flag.message).toMatchObject({ id: flag.messageId, text: '' });
    expect(result.body.flag.message?.deletedAt).not.toBeNull();
    expect(result.body.flag.review?.action).toBe('delete_message');
    expect(JSON.parse((await reviewsIn(chat))[0]!.details)).toMatchObject({ action: 'delete_message', hard: false, userId: 'alice' });
  });

  it('deletes for good only with the key (as DELETE does): a moderator\'s hard delete is 403 and leaves the flag pending', async () => {
    const chat = await world();
    const flag = await flagged(chat);
    expectError(await review({ token: chat.mod }, flag.id, { action: 'delete_message', hard: true }), 'forbidden', 403);
    expect(await pending(chat)).toEqual([flag.id]);

    const { result, events } = await expectEvents(t, chat.appId, 'room', ['message.deleted'], () => review({ apiKey: chat.apiKey }, flag.id, { action: 'delete_message', hard: true }));
    expect(result.status).toBe(200);
    expect(events[0]!.event).toMatchObject({ hard: true, message: { id: flag.messageId } });
    expectError(await call(t.baseUrl, `/api/messages/${flag.messageId}`, { apiKey: chat.apiKey }), 'message_not_found', 404);
    // The flag outlives the message, for the record of its review.
    expect(result.body.flag).toMatchObject({ status: 'reviewed', message: null, messageId: flag.messageId, review: { action: 'delete_message' } });
  });

  it('bans the author from the app: their next send is refused with user_banned', async () => {
    const chat = await world();
    const flag = await flagged(chat);
    const reply = await review({ token: chat.mod }, flag.id, { action: 'ban_user', reason: 'repeat offender', timeoutMinutes: 60 });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const [ban, ...others] = await bansOf(chat, 'alice');
    expect(others).toEqual([]);
    expect(ban).toMatchObject({ channel_id: '', shadow: 0, reason: 'repeat offender', banned_by: 'mod' });
    expect(Number(ban!.expires_at) - Date.now()).toBeGreaterThan(59 * 60_000);
    for (const channel of ['room', 'lobby']) {
      expectError(await call(t.baseUrl, `/api/channels/${channel}/messages`, { token: tokenOf(chat, 'alice'), body: { text: 'still here?' } }), 'user_banned', 403);
    }
    const audit = await t.server.context.store.db.selectFrom('moderation_audit').select('action').where('app_id', '=', chat.appId).orderBy('created_at').execute();
    // The ban and the review share a transaction and perhaps a millisecond: their order is not the point.
    expect(audit.map((a) => a.action).sort()).toEqual(['ban', 'flag', 'review']);
  });

  it('bans from the flagged message\'s channel only with channelOnly', async () => {
    const chat = await world();
    const flag = await flagged(chat);
    expect((await review({ token: chat.mod }, flag.id, { action: 'ban_user', channelOnly: true })).status).toBe(200);
    expect((await bansOf(chat, 'alice')).map((b) => b.channel_id)).toEqual(['room']);
    expectError(await call(t.baseUrl, '/api/channels/room/messages', { token: tokenOf(chat, 'alice'), body: { text: 'here?' } }), 'user_banned', 403);
    await send(t, { token: tokenOf(chat, 'alice') }, 'lobby', { text: 'still welcome here' });
  });

  it('shadow-bans the author: their sends are answered as usual and seen by nobody else', async () => {
    const chat = await world();
    const flag = await flagged(chat);
    expect((await review({ token: chat.mod }, flag.id, { action: 'shadow_ban_user' })).status).toBe(200);
    expect(await bansOf(chat, 'alice')).toMatchObject([{ channel_id: '', shadow: 1 }]);
    const { result } = await expectEvents(t, chat.appId, 'lobby', [], () => send(t, { token: tokenOf(chat, 'alice') }, 'lobby', { text: 'into the void' }));
    // Stored shadowed, and the author's answer does not say so.
    expect(result.shadowed).toBeUndefined();
    expect((await t.server.context.store.db.selectFrom('messages').select('shadowed').where('id', '=', result.id).executeTakeFirstOrThrow()).shadowed).toBe(1);
    expectError(await call(t.baseUrl, `/api/messages/${result.id}`, { token: tokenOf(chat, 'bob') }), 'message_not_found', 404);
  });

  it('refuses what an action cannot do to its flag (400), unknown flags (404) and plain users (403), writing nothing', async () => {
    const chat = await world();
    const userFlag = (await call<FlagResponse>(t.baseUrl, '/api/users/alice/flag', { token: tokenOf(chat, 'bob'), body: {} })).body.flag;
    expectError(await review({ token: chat.mod }, userFlag.id, { action: 'delete_message' }), 'validation_failed', 400);
    expectError(await review({ token: chat.mod }, userFlag.id, { action: 'ban_user', channelOnly: true }), 'validation_failed', 400);
    expectError(await review({ token: chat.mod }, userFlag.id, { action: 'dismiss', hard: true }), 'validation_failed', 400);
    expectError(await review({ token: chat.mod }, userFlag.id, { action: 'dismiss', timeoutMinutes: 5 }), 'validation_failed', 400);
    expectError(await review({ token: chat.mod }, userFlag.id, { action: 'ignore' }), 'validation_failed', 400);
    expectError(await review({ token: chat.mod }, 'flg_nope', { action: 'dismiss' }), 'flag_not_found', 404);
    expectError(await review({ token: tokenOf(chat, 'carol') }, userFlag.id, { action: 'dismiss' }), 'forbidden', 403);
    // The server's own message has nobody to ban.
    const serverMessage = await send(t, { apiKey: chat.apiKey }, 'room', { text: 'from the backend' });
    const serverFlag = (await call<FlagResponse>(t.baseUrl, `/api/messages/${serverMessage.id}/flag`, { token: tokenOf(chat, 'bob'), body: {} })).body.flag;
    expectError(await review({ token: chat.mod }, serverFlag.id, { action: 'ban_user' }), 'validation_failed', 400);
    expect((await pending(chat)).sort()).toEqual([userFlag.id, serverFlag.id].sort());
    expect(await reviewsIn(chat)).toEqual([]);

    // A user flag bans app-wide.
    expect((await review({ token: chat.mod }, userFlag.id, { action: 'ban_user' })).status).toBe(200);
    expect((await bansOf(chat, 'alice')).map((b) => b.channel_id)).toEqual(['']);
  });
});
