import type { ChannelState, Message, ReactionResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'zed'];
const MEMBERS = USERS.filter((u) => u !== 'alice' && u !== 'zed');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeKinds)('reactions on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  /** Asserts `change` wrote exactly `types` to `room`'s stream, at consecutive offsets. */
  const inRoom = <T>(types: Parameters<typeof expectEvents>[3], change: () => Promise<T>) => expectEvents(t, chat.appId, 'room', types, change);

  /** The summary recomputed from the reactions table, to hold the message's stored one against. */
  async function fromTable(messageId: string): Promise<{ counts: Record<string, number>; scores: Record<string, number> }> {
    const rows = await t.server.context.store.db.selectFrom('reactions').selectAll().where('app_id', '=', chat.appId).where('message_id', '=', messageId).execute();
    const counts: Record<string, number> = {};
    const scores: Record<string, number> = {};
    for (const r of rows) {
      counts[r.type] = (counts[r.type] ?? 0) + 1;
      scores[r.type] = (scores[r.type] ?? 0) + r.score;
    }
    return { counts, scores };
  }

  const react = (user: string, messageId: string, body: Record<string, unknown>): Promise<Reply<ReactionResponse>> =>
    call<ReactionResponse>(t.baseUrl, `/api/messages/${messageId}/reactions`, { ...u(user), body });
  const unreact = (user: string, messageId: string, type: string): Promise<Reply<ReactionResponse>> =>
    call<ReactionResponse>(t.baseUrl, `/api/messages/${messageId}/reactions/${type}`, { ...u(user), method: 'DELETE' });
  const summary = (m: Message) => ({ counts: m.reactionCounts, scores: m.reactionScores, latest: m.latestReactions.map((r) => `${r.userId}:${r.type}:${r.score}`) });

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, USERS);
    await createChannel(t, u('alice'), { type: 'messaging', id: 'room', members: MEMBERS });
  });
  afterAll(() => t.close());

  it('keeps counts, scores, the latest five and each caller’s own reactions exact as many users react', async () => {
    const message = await send(t, u('alice'), 'room', { text: 'react to me' });
    const plan: Array<[string, string, number | undefined]> = [
      ['alice', 'like', undefined],
      ['bob', 'like', 3],
      ['carol', 'love', undefined],
      ['dave', 'like', undefined],
      ['erin', 'love', 2],
      ['frank', 'wow', undefined],
      ['gina', 'like', 5],
      ['bob', 'love', undefined],
    ];
    const own = new Map<string, string[]>();
    const { events } = await inRoom(plan.map(() => 'reaction.new'), async () => {
      for (const [user, type, score] of plan) {
        const reply = await react(user, message.id, score === undefined ? { type } : { type, score });
        expect(reply.status, JSON.stringify(reply.body)).toBe(201);
        expect(reply.body.reaction).toMatchObject({ messageId: message.id, userId: user, type, score: score ?? 1 });
        own.set(user, [...(own.get(user) ?? []), type].sort());
        expect(reply.body.message.ownReactions.map((r) => r.type).sort()).toEqual(own.get(user));
        // Distinct milliseconds, so "newest" has one answer.
        await pause(3);
      }
    });
    const reply = await call<ChannelState>(t.baseUrl, '/api/channels/room', u('bob'));
    const last = reply.body.lastMessage;
    expect(last?.id).toBe(message.id);
    if (!last) return;
    expect(summary(last)).toEqual({
      counts: { like: 4, love: 3, wow: 1 },
      scores: { like: 1 + 3 + 1 + 5, love: 1 + 2 + 1, wow: 1 },
      latest: ['bob:love:1', 'gina:like:5', 'frank:wow:1', 'erin:love:2', 'dave:like:1'],
    });
    expect(last.ownReactions.map((r) => `${r.type}:${r.score}`)).toEqual(['like:3', 'love:1']);
    expect(await fromTable(message.id)).toEqual({ counts: last.reactionCounts, scores: last.reactionScores });
    const carol = await call<ChannelState>(t.baseUrl, '/api/channels/room', u('carol'));
    expect(carol.body.lastMessage?.ownReactions.map((r) => r.type)).toEqual(['love']);

    const lastEvent = events.at(-1)?.event;
    if (lastEvent?.type !== 'reaction.new') throw new Error('the last event is a reaction.new');
    expect(lastEvent.reaction).toMatchObject({ userId: 'bob', type: 'love' });
    // Events are the same for every receiver: no one's own reactions in them.
    expect(lastEvent.message.ownReactions).toEqual([]);
    expect(summary(lastEvent.message)).toEqual(summary(last));
  });

  it('re-reacting with the same type sets the score, keeps the count and the original time (200)', async () => {
    const message = await send(t, u('alice'), 'room', { text: 're-react' });
    const first = await react('bob', message.id, { type: 'star', score: 2 });
    expect(first.status).toBe(201);
    await pause(3);
    const { result: [again, plain] } = await inRoom(['reaction.new', 'reaction.new'], async () => [
      await react('bob', message.id, { type: 'star', score: 7 }),
      // Without a score the reaction goes back to the default of 1.
      await react('bob', message.id, { type: 'star' }),
    ]);
    expect(again?.status).toBe(200);
    if (!again || !plain) return;
    expect(again.body.reaction).toEqual({ ...first.body.reaction, score: 7 });
    expect(summary(again.body.message)).toEqual({ counts: { star: 1 }, scores: { star: 7 }, latest: ['bob:star:7'] });
    expect(again.body.message.ownReactions).toEqual([again.body.reaction]);
    expect(plain.status).toBe(200);
    expect(plain.body.message.reactionScores).toEqual({ star: 1 });
  });

  it('enforceUnique removes the caller’s other reactions first, each with its own reaction.deleted', async () => {
    const message = await send(t, u('alice'), 'room', { text: 'pick one' });
    for (const type of ['like', 'love', 'wow']) expect((await react('bob', message.id, { type })).status).toBe(201);
    expect((await react('carol', message.id, { type: 'like' })).status).toBe(201);
    const { result: unique, events } = await inRoom(['reaction.deleted', 'reaction.deleted', 'reaction.deleted', 'reaction.new'], () =>
      react('bob', message.id, { type: 'party', enforceUnique: true }),
    );
    expect(unique.status).toBe(201);
    expect(unique.body.message.ownReactions.map((r) => r.type)).toEqual(['party']);
    expect(unique.body.message.reactionCounts).toEqual({ like: 1, party: 1 });
    expect(await fromTable(message.id)).toEqual({ counts: { like: 1, party: 1 }, scores: { like: 1, party: 1 } });
    expect(events.flatMap(({ event: e }) => (e.type === 'reaction.deleted' ? [e.reaction.type] : [])).sort()).toEqual(['like', 'love', 'wow']);
    // enforceUnique with the type already held keeps it and removes nothing else.
    const same = await react('bob', message.id, { type: 'party', score: 4, enforceUnique: true });
    expect(same.status).toBe(200);
    expect(same.body.message.reactionScores).toEqual({ like: 1, party: 4 });
  });

  it('DELETE removes the caller’s reaction with one reaction.deleted; a second DELETE is 404 and writes nothing', async () => {
    const message = await send(t, u('alice'), 'room', { text: 'undo' });
    await react('bob', message.id, { type: 'like' });
    await react('carol', message.id, { type: 'like', score: 2 });
    const { result: removed } = await inRoom(['reaction.deleted'], () => unreact('bob', message.id, 'like'));
    expect(removed.status).toBe(200);
    expect(removed.body.reaction).toMatchObject({ userId: 'bob', type: 'like', score: 1 });
    expect(summary(removed.body.message)).toEqual({ counts: { like: 1 }, scores: { like: 2 }, latest: ['carol:like:2'] });
    expect(removed.body.message.ownReactions).toEqual([]);

    await inRoom([], async () => {
      expectError(await unreact('bob', message.id, 'like'), 'reaction_not_found', 404);
      expectError(await unreact('dave', message.id, 'like'), 'reaction_not_found', 404);
    });
    await inRoom(['reaction.deleted'], () => unreact('carol', message.id, 'like'));
    const empty = await call<ChannelState>(t.baseUrl, '/api/channels/room', u('carol'));
    expect(empty.body.lastMessage && summary(empty.body.lastMessage)).toEqual({ counts: {}, scores: {}, latest: [] });
  });

  it('hides messages of a members-only channel from non-members (404) and refuses who may not react', async () => {
    const message = await send(t, u('alice'), 'room', { text: 'members only' });
    await inRoom([], async () => {
      expectError(await react('zed', message.id, { type: 'like' }), 'message_not_found', 404);
      expectError(await unreact('zed', message.id, 'like'), 'message_not_found', 404);
      expectError(await react('bob', 'no-such-message', { type: 'like' }), 'message_not_found', 404);
      // The server has no user to react as.
      expectError(await call(t.baseUrl, `/api/messages/${message.id}/reactions`, { apiKey: chat.apiKey, body: { type: 'like' } }), 'forbidden', 403);
      expectError(await react('bob', message.id, { type: 'not a type' }), 'validation_failed', 400);
      expectError(await react('bob', message.id, { type: 'like', score: 0 }), 'validation_failed', 400);
      expectError(await react('bob', message.id, { type: 'like', extra: true }), 'validation_failed', 400);
    });

    // Another app's message id is 404 too.
    const other = await chatApp(t, ['olga'], 'Other');
    await createChannel(t, { token: other.users.olga?.token ?? '' }, { type: 'messaging', id: 'room' });
    const foreign = await send(t, { token: other.users.olga?.token ?? '' }, 'room', { text: 'elsewhere' });
    expectError(await react('bob', foreign.id, { type: 'like' }), 'message_not_found', 404);

    // A public channel is readable without joining, but reacting, like sending, needs membership.
    await createChannel(t, u('alice'), { type: 'public', id: 'plaza' });
    const open = await send(t, u('alice'), 'plaza', { text: 'public' });
    await expectEvents(t, chat.appId, 'plaza', [], async () => expectError(await react('zed', open.id, { type: 'like' }), 'forbidden', 403));
    const rows = await t.server.context.store.db.selectFrom('reactions').select('user_id').where('app_id', '=', chat.appId).where('user_id', '=', 'zed').execute();
    expect(rows).toEqual([]);
  });

  it('refuses reactions on a deleted message with 404 message_not_found', async () => {
    const message = await send(t, u('alice'), 'room', { text: 'soon gone' });
    await react('bob', message.id, { type: 'like' });
    // DELETE /api/messages/:id is built in parallel; a soft delete is this column being set.
    await t.server.context.store.db.updateTable('messages').set({ deleted_at: Date.now() }).where('app_id', '=', chat.appId).where('id', '=', message.id).execute();
    await inRoom([], async () => {
      expectError(await react('carol', message.id, { type: 'like' }), 'message_not_found', 404);
      expectError(await unreact('bob', message.id, 'like'), 'message_not_found', 404);
    });
  });

  it('keeps type names like __proto__ and constructor as plain keys', async () => {
    const message = await send(t, u('alice'), 'room', { text: 'tricky names' });
    await react('bob', message.id, { type: '__proto__', score: 2 });
    const reply = await react('carol', message.id, { type: 'constructor' });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.body.message.reactionCounts).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.entries(reply.body.message.reactionScores).sort()).toEqual([
      ['__proto__', 2],
      ['constructor', 1],
    ]);
  });

  it('stays exact when many members react to one message at once', async () => {
    const message = await send(t, u('alice'), 'room', { text: 'stampede' });
    const reactors = ['alice', ...MEMBERS];
    const { result: replies, events } = await inRoom(
      reactors.flatMap(() => ['reaction.new', 'reaction.new'] as const),
      () => Promise.all(reactors.flatMap((user, i) => [react(user, message.id, { type: 'like', score: i + 1 }), react(user, message.id, { type: i % 2 ? 'love' : 'wow' })])),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
    const table = await fromTable(message.id);
    expect(table.counts).toEqual({ like: reactors.length, love: 3, wow: 4 });
    const stored = await call<ChannelState>(t.baseUrl, '/api/channels/room', u('bob'));
    const last = stored.body.lastMessage;
    expect(last && { counts: last.reactionCounts, scores: last.reactionScores }).toEqual(table);
    expect(last?.latestReactions).toHaveLength(5);
    // The last event carries the final summary: events were written in commit order.
    const final = events.at(-1)?.event;
    if (final?.type !== 'reaction.new') throw new Error('the last event is a reaction.new');
    expect(final.message.reactionCounts).toEqual(table.counts);
    const newest = await t.server.context.store.db
      .selectFrom('reactions')
      .selectAll()
      .where('app_id', '=', chat.appId)
      .where('message_id', '=', message.id)
      .orderBy('created_at', 'desc')
      .orderBy('user_id')
      .orderBy('type')
      .limit(5)
      .execute();
    expect(last?.latestReactions.map((r) => `${r.userId}:${r.type}`)).toEqual(newest.map((r) => `${r.user_id}:${r.type}`));
  });
});
