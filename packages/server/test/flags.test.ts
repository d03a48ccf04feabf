import type { Flag, FlagResponse, FlagsPage, MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeKinds)('flags and the review queue on %s', (kind) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(kind);
  });
  afterAll(() => t.close());

  /** An app with a members-only channel `room` of alice, bob and carol (dave is outside), and a moderator. */
  async function world(): Promise<ChatApp & { mod: string }> {
    const chat = await chatApp(t, ['alice', 'bob', 'carol', 'dave']);
    const { token: mod } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' });
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'bob', 'carol'] });
    return { ...chat, mod };
  }
  const tokenOf = (chat: ChatApp, id: string) => chat.users[id]?.token ?? '';
  const flagMessage = (chat: ChatApp, as: string, messageId: string, body: Record<string, unknown> = {}): Promise<Reply<FlagResponse>> =>
    call<FlagResponse>(t.baseUrl, `/api/messages/${messageId}/flag`, { token: tokenOf(chat, as), body });
  const flagUser = (chat: ChatApp, as: string, userId: string, body: Record<string, unknown> = {}): Promise<Reply<FlagResponse>> =>
    call<FlagResponse>(t.baseUrl, `/api/users/${userId}/flag`, { token: tokenOf(chat, as), body });
  const queue = async (auth: { token?: string; apiKey?: string }, query = ''): Promise<FlagsPage> => {
    const reply = await call<FlagsPage>(t.baseUrl, `/api/moderation/flags${query}`, auth);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  };

  it('lists a flagged message once with its message, author, count, reasons and reports, however often one reporter asks', async () => {
    const chat = await world();
    const message = await send(t, { token: tokenOf(chat, 'alice') }, 'room', { text: 'buy cheap watches' });

    const first = await flagMessage(chat, 'bob', message.id, { reason: 'spam', custom: { source: 'menu' } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.created).toBe(true);
    expect(first.body.flag).toMatchObject({ targetType: 'message', messageId: message.id, channelId: 'room', targetUserId: 'alice', status: 'pending', flagCount: 1 });

    const again = await flagMessage(chat, 'bob', message.id, { reason: 'something else' });
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(again.body.flag.flagCount).toBe(1);
    expect(again.body.flag.id).toBe(first.body.flag.id);

    await pause(3);
    const second = await flagMessage(chat, 'carol', message.id, { reason: 'scam' });
    expect(second.status).toBe(201);
    expect(second.body.flag.flagCount).toBe(2);

    const { flags, next } = await queue({ token: chat.mod });
    expect(next).toBeNull();
    expect(flags).toHaveLength(1);
    const [flag] = flags as [Flag];
    expect(flag).toMatchObject({ id: first.body.flag.id, flagCount: 2, reasons: ['spam', 'scam'], status: 'pending', review: null });
    expect(flag.message).toMatchObject({ id: message.id, text: 'buy cheap watches', userId: 'alice' });
    expect(flag.user).toMatchObject({ id: 'alice', name: 'alice' });
    expect(flag.reports.map((r) => [r.userId, r.reason])).toEqual([
      ['carol', 'scam'],
      ['bob', 'spam'],
    ]);
    expect(flag.reports[1]!.custom).toEqual({ source: 'menu' });

    // Each new report is in the audit log; the repeat is not (nothing happened).
    const audit = await t.server.context.store.db.selectFrom('moderation_audit').selectAll().where('app_id', '=', chat.appId).where('action', '=', 'flag').orderBy('created_at').execute();
    expect(audit.map((a) => [a.actor_id, a.target_type, a.target_id, a.reason])).toEqual([
      ['bob', 'message', message.id, 'spam'],
      ['carol', 'message', message.id, 'scam'],
    ]);
  });

  it('makes one flag of racing first reports, counting each reporter once (a double click included)', async () => {
    const chat = await chatApp(t, ['author', ...Array.from({ length: 8 }, (_, i) => `r${i}`)]);
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'public', id: 'square', members: Object.keys(chat.users) });
    const message = await send(t, { token: tokenOf(chat, 'author') }, 'square', { text: 'contested' });
    const reporters = Object.keys(chat.users).filter((id) => id !== 'author');
    const replies = await Promise.all([...reporters, 'r0', 'r1'].map((id) => flagMessage(chat, id, message.id, { reason: id })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(reporters.length);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(2);
    expect(new Set(replies.map((r) => r.body.flag.id)).size).toBe(1);
    const { flags } = await queue({ apiKey: chat.apiKey });
    expect(flags.map((f) => f.flagCount)).toEqual([reporters.length]);
    expect(flags[0]!.reports.map((r) => r.userId).sort()).toEqual(reporters.sort());
  });

  it('refuses flagging one\'s own message or oneself (400), and a message one cannot read or that does not exist (404)', async () => {
    const chat = await world();
    const message = await send(t, { token: tokenOf(chat, 'alice') }, 'room', { text: 'members only' });
    expectError(await flagMessage(chat, 'alice', message.id), 'validation_failed', 400);
    expectError(await flagUser(chat, 'alice', 'alice'), 'validation_failed', 400);
    // dave is of the app but not of the members-only channel: the message does not exist for him.
    expectError(await flagMessage(chat, 'dave', message.id), 'message_not_found', 404);
    expectError(await flagMessage(chat, 'bob', 'msg_nope'), 'message_not_found', 404);
    expectError(await flagUser(chat, 'bob', 'nobody'), 'user_not_found', 404);
    // A report is a user's word; the key moderates directly.
    expectError(await call(t.baseUrl, `/api/messages/${message.id}/flag`, { apiKey: chat.apiKey, body: {} }), 'forbidden', 403);
    expect((await queue({ apiKey: chat.apiKey })).flags).toEqual([]);
  });

  it('refuses a flag of a deleted message (400): there is nothing left to review', async () => {
    const chat = await world();
    const message = await send(t, { token: tokenOf(chat, 'alice') }, 'room', { text: 'gone soon' });
    expect((await call(t.baseUrl, `/api/messages/${message.id}`, { token: tokenOf(chat, 'alice'), method: 'DELETE' })).status).toBe(200);
    expectError(await flagMessage(chat, 'bob', message.id), 'validation_failed', 400);
  });

  it('flags a user of the app once per reporter; a user of another app is unknown', async () => {
    const chat = await world();
    const other = await chatApp(t, ['stranger'], 'Other');
    expect((await flagUser(chat, 'bob', 'alice', { reason: 'harassment' })).status).toBe(201);
    expect((await flagUser(chat, 'bob', 'alice')).status).toBe(200);
    const reply = await flagUser(chat, 'dave', 'alice');
    expect(reply.status).toBe(201);
    expect(reply.body.flag).toMatchObject({ targetType: 'user', messageId: null, channelId: null, message: null, targetUserId: 'alice', flagCount: 2, reasons: ['harassment'] });
    expect(reply.body.flag.user?.id).toBe('alice');
    expectError(await flagUser(chat, 'bob', 'stranger'), 'user_not_found', 404);
    // Nor is alice anyone to the other app's users.
    expectError(await flagUser(other, 'stranger', 'alice'), 'user_not_found', 404);
  });

  it('keeps the queue to app moderators and the key; pending oldest first and paged, reviewed newest first', async () => {
    const chat = await world();
    expectError(await call(t.baseUrl, '/api/moderation/flags', { token: tokenOf(chat, 'bob') }), 'forbidden', 403);
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const message = await send(t, { token: tokenOf(chat, 'alice') }, 'room', { text });
      ids.push((await flagMessage(chat, 'bob', message.id)).body.flag.id);
      await pause(3);
    }
    // A new report of the oldest does not send it to the back of the queue.
    await flagMessage(chat, 'carol', (await queue({ apiKey: chat.apiKey })).flags[0]!.messageId!);

    const page1 = await queue({ token: chat.mod }, '?limit=2');
    expect(page1.flags.map((f) => f.id)).toEqual(ids.slice(0, 2));
    expect(page1.next).not.toBeNull();
    const page2 = await queue({ token: chat.mod }, `?limit=2&cursor=${page1.next}`);
    expect(page2.flags.map((f) => f.id)).toEqual(ids.slice(2));
    expect(page2.next).toBeNull();
    expectError(await call(t.baseUrl, '/api/moderation/flags?cursor=garbage', { token: chat.mod }), 'validation_failed', 400);

    for (const id of [ids[1]!, ids[0]!]) {
      const reviewed = await call(t.baseUrl, `/api/moderation/flags/${id}/review`, { token: chat.mod, body: { action: 'dismiss' } });
      expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
      await pause(3);
    }
    expect((await queue({ token: chat.mod })).flags.map((f) => f.id)).toEqual([ids[2]]);
    expect((await queue({ token: chat.mod }, '?status=reviewed')).flags.map((f) => f.id)).toEqual([ids[0], ids[1]]);
  });

  it('hides a message at the app\'s number of reports: readers get it without content, with a message.updated; the queue still reads it', async () => {
    const chat = await world();
    const patched = await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { autoHideAfterFlags: 2 } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const message = await send(t, { token: tokenOf(chat, 'alice') }, 'room', { text: 'offensive words' });

    await expectEvents(t, chat.appId, 'room', [], () => flagMessage(chat, 'bob', message.id));
    const read = async () => (await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, { token: tokenOf(chat, 'bob') })).body.message;
    expect((await read()).text).toBe('offensive words');

    const { events, result } = await expectEvents(t, chat.appId, 'room', ['message.updated'], () => flagMessage(chat, 'carol', message.id));
    expect(result.status).toBe(201);
    const updated = events[0]!.event as { message: { id: string; text: string; hidden?: boolean } };
    expect(updated.message).toMatchObject({ id: message.id, text: '', hidden: true });
    expect(await read()).toMatchObject({ text: '', hidden: true });
    // The author too sees it withheld: it is hidden for review, not shadowed.
    expect((await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, { token: tokenOf(chat, 'alice') })).body.message.text).toBe('');
    // The reviewer sees what was reported; the report's answer already shows it hidden.
    expect(result.body.flag.message).toMatchObject({ text: 'offensive words', hidden: true });
    expect((await queue({ token: chat.mod })).flags[0]!.message).toMatchObject({ text: 'offensive words', hidden: true });
    const hides = await t.server.context.store.db.selectFrom('moderation_audit').selectAll().where('app_id', '=', chat.appId).where('action', '=', 'message.hide').execute();
    expect(hides.map((h) => [h.actor_id, h.target_id])).toEqual([[null, message.id]]);

    // A third report (the app moderator reads every channel) of a hidden message hides nothing again.
    const third = await expectEvents(t, chat.appId, 'room', [], () => call<FlagResponse>(t.baseUrl, `/api/messages/${message.id}/flag`, { token: chat.mod, body: {} }));
    expect(third.result.status).toBe(201);
    expect(third.result.body.flag.flagCount).toBe(3);
  });

  it('hides nothing while auto-hide is off, as it is by default', async () => {
    const chat = await world();
    const message = await send(t, { token: tokenOf(chat, 'alice') }, 'room', { text: 'reported but shown' });
    await expectEvents(t, chat.appId, 'room', [], async () => {
      await flagMessage(chat, 'bob', message.id);
      await flagMessage(chat, 'carol', message.id);
    });
    const reply = await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, { token: tokenOf(chat, 'bob') });
    expect(reply.body.message.text).toBe('reported but shown');
    expect(reply.body.message.hidden).toBeUndefined();
  });
});
