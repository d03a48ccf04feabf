import type { Message, MessagesPage, SearchResponse, UserBannedEvent, UserUnbannedEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { insertWebhook } from './helpers/webhooks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Long enough for a worker polling every 50 ms to have sent a webhook, had there been one. */
const SETTLE_MS = 400;

/**
 * A shadow ban: the user's sends are answered as usual and they see their
 * own messages, while no other member's socket, history, GET, search or
 * webhook ever carries them; the channel's moderators and the server see
 * them. Later changes to such a message (reactions, pins, deletes) are
 * announced to no one either.
 */
describe.each(storeKinds)('shadow bans on %s', (kind) => {
  let t: TestServer;
  let receiver: WebhookReceiver;
  let chat: ChatApp;
  let appMod: string;
  const clients: Centrifuge[] = [];
  const tok = (id: string) => chat.users[id]?.token ?? '';
  const history = async (token: string, channelId = 'room') =>
    (await call<MessagesPage>(t.baseUrl, `/api/channels/${channelId}/messages?limit=100`, { token })).body.messages.map((m) => m.id);
  const found = async (token: string, q: string) => (await call<SearchResponse>(t.baseUrl, `/api/search?q=${q}`, { token })).body.results.map((m) => m.id);
  /** Message ids the webhooks were told of, by event type. */
  const hooked = (type: string) =>
    receiver.received.filter((r) => r.body.type === type).map((r) => (r.body.data as { message?: Message }).message?.id);

  /** Bob, a plain member, watching the room on a real socket. */
  const bobWatches = async () => {
    const client = realtimeClient(t, (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'bob' })).wsToken);
    clients.push(client);
    client.connect();
    const sub = client.newSubscription('room');
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    return got;
  };
  /** What bob's socket carried about these messages, once a later marker message has arrived (so anything before it had too). */
  const bobSawOf = async (got: ReturnType<typeof collect>, ids: string[]) => {
    const marker = await send(t, { token: tok('owner') }, 'room', { text: 'marker' });
    await got.until(1);
    const deadline = Date.now() + 5000;
    while (!got.items.some((p) => JSON.stringify(p.data).includes(marker.id)) && Date.now() < deadline) await sleep(20);
    return got.items.filter((p) => ids.some((id) => JSON.stringify(p.data).includes(id))).map((p) => (p.data as { type: string }).type);
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [receiver.hostPort] }, webhooks: { pollMs: 50 } });
    chat = await chatApp(t, ['owner', 'shade', 'shade2', 'bob', 'carol', 'dora']);
    ({ token: appMod } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' }));
    await insertWebhook(t.server.context.store, chat.appId, receiver.url);
    await createChannel(t, { token: tok('owner') }, { type: 'messaging', id: 'room', members: ['shade', 'shade2', 'bob', 'carol'] });
    await createChannel(t, { token: tok('owner') }, { type: 'messaging', id: 'lobby', members: ['shade2', 'bob'] });
    expect((await call(t.baseUrl, '/api/channels/room/members/carol', { token: tok('owner'), method: 'PATCH', body: { role: 'moderator' } })).status).toBe(200);
    expect((await call(t.baseUrl, '/api/moderation/bans', { apiKey: chat.apiKey, body: { userId: 'shade', shadow: true } })).status).toBe(201);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it("answers the shadow-banned user's send 201 and shows it to them, to the channel's moderators and the server, and to no one else anywhere", async () => {
    const got = await bobWatches();
    const reply = await call<{ message: Message }>(t.baseUrl, '/api/channels/room/messages', { token: tok('shade'), body: { text: 'buy zebracoin now' } });
    expect(reply.status).toBe(201);
    const hidden = reply.body.message;
    expect(hidden).toMatchObject({ text: 'buy zebracoin now', userId: 'shade' });
    const plain = await send(t, { token: tok('owner') }, 'room', { text: 'zebracoin is a scam' });

    // No other member's socket, history, GET or search.
    expect(await bobSawOf(got, [hidden.id])).toEqual([]);
    expect(await history(tok('bob'))).not.toContain(hidden.id);
    expect(await history(tok('bob'))).toContain(plain.id);
    expectError(await call(t.baseUrl, `/api/messages/${hidden.id}`, { token: tok('bob') }), 'message_not_found', 404);
    expect(await found(tok('bob'), 'zebracoin')).toEqual([plain.id]);

    // The author sees it everywhere, as if nothing were wrong: no answer of theirs says it is shadowed.
    expect(hidden.shadowed).toBeUndefined();
    expect(await history(tok('shade'))).toContain(hidden.id);
    const ownCopy = await call<{ message: Message }>(t.baseUrl, `/api/messages/${hidden.id}`, { token: tok('shade') });
    expect(ownCopy.status).toBe(200);
    expect(ownCopy.body.message.shadowed).toBeUndefined();
    const ownPage = await call<MessagesPage>(t.baseUrl, '/api/channels/room/messages?limit=100', { token: tok('shade') });
    expect(ownPage.body.messages.find((m) => m.id === hidden.id)?.shadowed).toBeUndefined();
    expect(await found(tok('shade'), 'zebracoin')).toEqual([plain.id, hidden.id]);

    // The channel's moderator, an app moderator and the server see it.
    expect(await history(tok('carol'))).toContain(hidden.id);
    expect(await history(appMod)).toContain(hidden.id);
    const modsCopy = await call<{ message: Message }>(t.baseUrl, `/api/messages/${hidden.id}`, { token: appMod });
    expect(modsCopy.status).toBe(200);
    // Moderators are told why nobody else sees it.
    expect(modsCopy.body.message.shadowed).toBe(true);
    const modsPage = await call<MessagesPage>(t.baseUrl, '/api/channels/room/messages?limit=100', { token: tok('carol') });
    expect(modsPage.body.messages.find((m) => m.id === hidden.id)?.shadowed).toBe(true);
    expect((await call<MessagesPage>(t.baseUrl, '/api/channels/room/messages?limit=100', { apiKey: chat.apiKey })).body.messages.map((m) => m.id)).toContain(hidden.id);
    expect((await call<SearchResponse>(t.baseUrl, '/api/search?q=zebracoin', { apiKey: chat.apiKey })).body.results.map((m) => m.id)).toContain(hidden.id);

    // No webhook: the plain message's arrives, the hidden one's never does.
    await receiver.waitFor(() => hooked('message.new').includes(plain.id));
    await sleep(SETTLE_MS);
    expect(hooked('message.new')).not.toContain(hidden.id);
  });

  it("hides a shadow-banned user's thread replies from others and leaves the thread's reply count as it was", async () => {
    const parent = await send(t, { token: tok('owner') }, 'room', { text: 'a thread' });
    const reply = await send(t, { token: tok('shade') }, 'room', { text: 'a hidden reply', parentId: parent.id });
    const replies = async (token: string) => (await call<MessagesPage>(t.baseUrl, `/api/messages/${parent.id}/replies`, { token })).body.messages.map((m) => m.id);
    expect(await replies(tok('bob'))).toEqual([]);
    expect(await replies(tok('shade'))).toEqual([reply.id]);
    expect(await replies(tok('carol'))).toEqual([reply.id]);
    expect((await call<{ message: Message }>(t.baseUrl, `/api/messages/${parent.id}`, { token: tok('bob') })).body.message.replyCount).toBe(0);
  });

  it('announces no reaction, pin or delete of a shadowed message, and others cannot reach it to make one', async () => {
    const got = await bobWatches();
    const hidden = await send(t, { token: tok('shade') }, 'room', { text: 'to be reacted to' });
    expect((await call(t.baseUrl, `/api/messages/${hidden.id}/reactions`, { token: tok('shade'), body: { type: 'like' } })).status).toBe(201);
    expect((await call(t.baseUrl, `/api/messages/${hidden.id}/reactions`, { token: tok('carol'), body: { type: 'wow' } })).status).toBe(201);
    expect((await call(t.baseUrl, `/api/messages/${hidden.id}/reactions/like`, { token: tok('shade'), method: 'DELETE' })).status).toBe(200);
    expect((await call(t.baseUrl, `/api/messages/${hidden.id}/pin`, { token: tok('shade'), method: 'POST' })).status).toBe(200);
    // Bob cannot find it to react, pin or delete.
    expectError(await call(t.baseUrl, `/api/messages/${hidden.id}/reactions`, { token: tok('bob'), body: { type: 'like' } }), 'message_not_found', 404);
    expectError(await call(t.baseUrl, `/api/messages/${hidden.id}/pin`, { token: tok('bob'), method: 'POST' }), 'message_not_found', 404);
    expectError(await call(t.baseUrl, `/api/messages/${hidden.id}`, { token: tok('bob'), method: 'DELETE' }), 'message_not_found', 404);
    const pinned = async (token: string) => (await call<{ messages: Message[] }>(t.baseUrl, '/api/channels/room/pinned', { token })).body.messages.map((m) => m.id);
    expect(await pinned(tok('bob'))).not.toContain(hidden.id);
    expect(await pinned(tok('shade'))).toContain(hidden.id);
    expect((await call(t.baseUrl, `/api/messages/${hidden.id}`, { token: tok('shade'), method: 'DELETE' })).status).toBe(200);

    expect(await bobSawOf(got, [hidden.id])).toEqual([]);
    const stored = await t.server.context.store.db.selectFrom('channel_events').select('payload').where('app_id', '=', chat.appId).where('channel_id', '=', 'room').execute();
    expect(stored.filter((e) => e.payload.includes(hidden.id))).toEqual([]);
    await sleep(SETTLE_MS);
    expect(receiver.received.filter((r) => r.raw.includes(hidden.id))).toEqual([]);
  });

  it("sends no one a shadow-banned user's typing or their reactions to others' messages", async () => {
    const got = await bobWatches();
    const plain = await send(t, { token: tok('owner') }, 'room', { text: 'react to this' });
    expect((await call(t.baseUrl, `/api/messages/${plain.id}/reactions`, { token: tok('shade'), body: { type: 'like' } })).status).toBe(201);
    expect((await call(t.baseUrl, '/api/channels/room/typing', { token: tok('shade'), body: { typing: true } })).status).toBe(204);
    // A plain member's typing does reach bob: the check below could see one.
    expect((await call(t.baseUrl, '/api/channels/room/typing', { token: tok('carol'), body: { typing: true } })).status).toBe(204);
    expect(await bobSawOf(got, [plain.id])).toEqual(['message.new']);
    const typists = got.items.filter((p) => (p.data as { type: string }).type === 'typing.start').map((p) => (p.data as { userId: string }).userId);
    expect(typists).toEqual(['carol']);
  });

  it('hides the messages of a user shadow-banned from one channel in that channel only', async () => {
    expect((await call(t.baseUrl, '/api/moderation/bans', { apiKey: chat.apiKey, body: { userId: 'shade2', channelId: 'room', shadow: true } })).status).toBe(201);
    const inRoom = await send(t, { token: tok('shade2') }, 'room', { text: 'hidden in the room' });
    const inLobby = await send(t, { token: tok('shade2') }, 'lobby', { text: 'seen in the lobby' });
    expect(await history(tok('bob'))).not.toContain(inRoom.id);
    expect(await history(tok('bob'), 'lobby')).toContain(inLobby.id);
    expect(await history(tok('shade2'))).toContain(inRoom.id);
  });

  it('tells webhooks of a ban and its lifting (user.banned, user.unbanned), in the user’s lane', async () => {
    const banned = await call<{ ban: { expiresAt: string } }>(t.baseUrl, '/api/moderation/bans', {
      token: appMod,
      body: { userId: 'dora', reason: 'trolling', timeoutMinutes: 30 },
    });
    expect(banned.status).toBe(201);
    expect((await call(t.baseUrl, '/api/moderation/bans/dora', { token: appMod, method: 'DELETE' })).status).toBe(200);
    const ofDora = () => receiver.received.filter((r) => r.body.type.startsWith('user.') && r.raw.includes('"dora"'));
    await receiver.waitFor(() => ofDora().length >= 2);
    await sleep(SETTLE_MS);
    const [first, second] = ofDora();
    expect(ofDora()).toHaveLength(2);
    expect(first?.body.data as UserBannedEvent).toMatchObject({
      type: 'user.banned',
      ban: { userId: 'dora', channelId: null, reason: 'trolling', shadow: false, bannedBy: 'mod', expiresAt: banned.body.ban.expiresAt },
    });
    expect(second?.body.data as UserUnbannedEvent).toMatchObject({ type: 'user.unbanned', userId: 'dora', channelId: null });
    const lanes = await t.server.context.store.db.selectFrom('outbox').select(['lane', 'type']).where('type', 'like', 'user.%banned').where('payload', 'like', '%"dora"%').execute();
    expect(lanes.map((l) => l.lane)).toEqual(['user:dora', 'user:dora']);
  });
});
