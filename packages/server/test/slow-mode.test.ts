import type { ChannelState, ErrorBody, MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeKinds)('slow mode on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let appModerator: string;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  const patch = (auth: { token?: string; apiKey?: string }, channelId: string, body: Record<string, unknown>): Promise<Reply<ChannelState>> =>
    call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, { ...auth, method: 'PATCH', body });
  const post = (auth: { token?: string; apiKey?: string }, channelId: string, body: Record<string, unknown>): Promise<Reply<MessageResponse>> =>
    call<MessageResponse>(t.baseUrl, `/api/channels/${channelId}/messages`, { ...auth, body });

  /** A channel of alice (owner), bob and carol (members) and mo (a channel moderator), with slow mode at `cooldownSeconds`. */
  async function slowChannel(cooldownSeconds: number): Promise<string> {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'carol', 'mo'] })).channel.id;
    const role = await call(t.baseUrl, `/api/channels/${id}/members/mo`, { ...u('alice'), method: 'PATCH', body: { role: 'moderator' } });
    expect(role.status, JSON.stringify(role.body)).toBe(200);
    const set = await patch(u('alice'), id, { cooldownSeconds });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    return id;
  }

  /** Moves a member's last send back by `ms`, as if that much time had passed. */
  async function age(channelId: string, userId: string, ms: number): Promise<void> {
    const db = t.server.context.store.db;
    const row = await db.selectFrom('members').select('last_sent_at').where('app_id', '=', chat.appId).where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirstOrThrow();
    expect(row.last_sent_at).not.toBeNull();
    await db.updateTable('members').set({ last_sent_at: Number(row.last_sent_at) - ms }).where('app_id', '=', chat.appId).where('channel_id', '=', channelId).where('user_id', '=', userId).execute();
  }

  async function messageCount(channelId: string): Promise<number> {
    const rows = await t.server.context.store.db.selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('channel_id', '=', channelId).execute();
    return rows.length;
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'mo', 'dave']);
    ({ token: appModerator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'appmod', role: 'moderator' }));
  });
  afterAll(() => t.close());

  it('is set by channel moderators+, app moderators and the key, never by a plain member, and shows on the channel and in channel.updated', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'mo'] })).channel.id;
    await call(t.baseUrl, `/api/channels/${id}/members/mo`, { ...u('alice'), method: 'PATCH', body: { role: 'moderator' } });

    const refused = await expectEvents(t, chat.appId, id, [], () => patch(u('bob'), id, { cooldownSeconds: 30 }));
    expectError(refused.result, 'forbidden', 403);

    const { result, events } = await expectEvents(t, chat.appId, id, ['channel.updated'], () => patch(u('mo'), id, { cooldownSeconds: 30 }));
    expect(result.status).toBe(200);
    expect(result.body.channel.cooldownSeconds).toBe(30);
    const event = events[0]?.event;
    expect(event?.type === 'channel.updated' ? event.channel.cooldownSeconds : undefined).toBe(30);

    expect((await patch({ token: appModerator }, id, { cooldownSeconds: 45 })).body.channel.cooldownSeconds).toBe(45);
    expect((await patch({ apiKey: chat.apiKey }, id, { cooldownSeconds: 0 })).body.channel.cooldownSeconds).toBe(0);
    const read = await call<ChannelState>(t.baseUrl, `/api/channels/${id}`, u('bob'));
    expect(read.body.channel.cooldownSeconds).toBe(0);
    // Past the six-hour limit, and negative, are the caller's mistakes.
    expectError(await patch(u('alice'), id, { cooldownSeconds: 21_601 }), 'validation_failed', 400);
    expectError(await patch(u('alice'), id, { cooldownSeconds: -1 }), 'validation_failed', 400);
  });

  it('answers a second send within the cooldown with 429 slow_mode, Retry-After and details.retryAfterSeconds, and writes nothing', async () => {
    const id = await slowChannel(60);
    await send(t, u('bob'), id, { text: 'first' });
    const before = await messageCount(id);
    const refused = await expectEvents(t, chat.appId, id, [], () => post(u('bob'), id, { text: 'second' }));
    expectError(refused.result, 'slow_mode', 429);
    const retryAfter = Number(refused.result.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const details = (refused.result.body as unknown as ErrorBody).error.details;
    expect(details?.retryAfterSeconds).toBe(retryAfter);
    expect(details?.cooldownSeconds).toBe(60);
    expect(await messageCount(id)).toBe(before);
    // Another member's cooldown is their own.
    await send(t, u('carol'), id, { text: 'carol may' });
  });

  it('lets the member send again once the cooldown has passed, and Retry-After counts down', async () => {
    const id = await slowChannel(60);
    await send(t, u('bob'), id, { text: 'one' });
    await age(id, 'bob', 45_000);
    const refused = await post(u('bob'), id, { text: 'too soon' });
    expectError(refused, 'slow_mode', 429);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(15);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(14);
    await age(id, 'bob', 15_000);
    await send(t, u('bob'), id, { text: 'two' });
    expectError(await post(u('bob'), id, { text: 'three' }), 'slow_mode', 429);
  });

  it('a one-second cooldown passes in real time', async () => {
    const id = await slowChannel(1);
    await send(t, u('bob'), id, { text: 'one' });
    expectError(await post(u('bob'), id, { text: 'at once' }), 'slow_mode', 429);
    await pause(1100);
    await send(t, u('bob'), id, { text: 'a second later' });
  });

  it('exempts channel moderators and owners, app moderators who are members, and the server sending as a member', async () => {
    const id = await slowChannel(60);
    for (const who of ['mo', 'alice']) {
      await send(t, u(who), id, { text: `${who} 1` });
      await send(t, u(who), id, { text: `${who} 2` });
    }
    const join = await call(t.baseUrl, `/api/channels/${id}/members`, { apiKey: chat.apiKey, body: { userIds: ['appmod'] } });
    expect(join.status, JSON.stringify(join.body)).toBe(200);
    await send(t, { token: appModerator }, id, { text: 'app moderator 1' });
    await send(t, { token: appModerator }, id, { text: 'app moderator 2' });
    await send(t, { apiKey: chat.apiKey }, id, { text: 'as bob 1', userId: 'bob' });
    await send(t, { apiKey: chat.apiKey }, id, { text: 'as bob 2', userId: 'bob' });
    // The server's sends took no slot of bob's: his own first send passes.
    await send(t, u('bob'), id, { text: 'bob himself' });
    expectError(await post(u('bob'), id, { text: 'bob again' }), 'slow_mode', 429);
  });

  it('answers a resend of the same message id within the cooldown with the original, not 429', async () => {
    const id = await slowChannel(60);
    const first = await post(u('bob'), id, { id: 'slow-resend-1', text: 'once' });
    expect(first.status).toBe(201);
    const again = await post(u('bob'), id, { id: 'slow-resend-1', text: 'once' });
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe('slow-resend-1');
  });

  it('a send refused after its slot was taken gives the slot back', async () => {
    const id = await slowChannel(60);
    // An attachment naming an upload that does not exist fails inside the send's transaction, after the slot.
    const refused = await post(u('bob'), id, { text: 'with a file', attachments: [{ type: 'file', uploadId: 'upl_missing0000' }] });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect((refused.body as unknown as ErrorBody).error.code).not.toBe('slow_mode');
    await send(t, u('bob'), id, { text: 'the slot is still mine' });
  });

  it('leaving and joining again does not reset a member\'s cooldown', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'public', members: ['bob'] })).channel.id;
    expect((await patch(u('alice'), id, { cooldownSeconds: 60 })).status).toBe(200);
    await send(t, u('bob'), id, { text: 'one' });
    const left = await call(t.baseUrl, `/api/channels/${id}/members/bob`, { ...u('bob'), method: 'DELETE' });
    expect(left.status, JSON.stringify(left.body)).toBe(204);
    const joined = await call(t.baseUrl, `/api/channels/${id}/members`, { ...u('bob'), body: { userIds: ['bob'] } });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    const refused = await post(u('bob'), id, { text: 'two, at once' });
    expectError(refused, 'slow_mode', 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
  });

  it('counts from when it is turned on: a message sent before does not take the first slot', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    await send(t, u('bob'), id, { text: 'before slow mode' });
    expect((await patch(u('alice'), id, { cooldownSeconds: 60 })).status).toBe(200);
    await send(t, u('bob'), id, { text: 'right after' });
    expectError(await post(u('bob'), id, { text: 'and again' }), 'slow_mode', 429);
  });

  it('turning slow mode off lets members send freely', async () => {
    const id = await slowChannel(60);
    await send(t, u('bob'), id, { text: 'one' });
    expectError(await post(u('bob'), id, { text: 'two' }), 'slow_mode', 429);
    await patch(u('alice'), id, { cooldownSeconds: 0 });
    await send(t, u('bob'), id, { text: 'two' });
    await send(t, u('bob'), id, { text: 'three' });
  });

  it('of several sends by one member at once, exactly one passes', async () => {
    const id = await slowChannel(60);
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => post(u('carol'), id, { text: `race ${i}` })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of replies.filter((r) => r.status !== 201)) expectError(r, 'slow_mode', 429);
    expect(await messageCount(id)).toBe(1);
  });

  it('of sends by one member racing on two processes over one store, exactly one passes', async () => {
    const id = await slowChannel(60);
    const other = await startTestServer(kind, { storage: t.storage });
    try {
      const at = (server: TestServer) => call<MessageResponse>(server.baseUrl, `/api/channels/${id}/messages`, { ...u('dave'), body: { text: 'race' } });
      const join = await call(t.baseUrl, `/api/channels/${id}/members`, { ...u('alice'), body: { userIds: ['dave'] } });
      expect(join.status, JSON.stringify(join.body)).toBe(200);
      const replies = await Promise.all([at(t), at(other), at(t), at(other), at(t), at(other)]);
      expect(replies.filter((r) => r.status === 201), JSON.stringify(replies.map((r) => r.status))).toHaveLength(1);
      for (const r of replies.filter((r) => r.status !== 201)) expectError(r, 'slow_mode', 429);
    } finally {
      await other.close();
    }
  });
});
