import type { Ban, BanResponse, BansPage, ErrorBody } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { upload } from './helpers/uploads.js';

const PNG = new Uint8Array(Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'));

/**
 * Bans over REST: what a banned user is refused (and that a refusal writes
 * nothing), how a ban ends (lifted, or by itself), replacing and listing,
 * and who may ban whom. Sockets: bans-realtime.test.ts and
 * bans-two-processes.test.ts.
 */
describe.each(storeKinds)('bans on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let mod: string;
  let admin: string;
  const tok = (id: string) => chat.users[id]?.token ?? '';
  const ban = (auth: { token?: string; apiKey?: string }, body: Record<string, unknown>) => call<BanResponse>(t.baseUrl, '/api/moderation/bans', { ...auth, body });
  const lift = (auth: { token?: string; apiKey?: string }, userId: string, channelId?: string) =>
    call<BanResponse>(t.baseUrl, `/api/moderation/bans/${userId}${channelId ? `?channelId=${channelId}` : ''}`, { ...auth, method: 'DELETE' });
  const sendAs = (id: string, channelId: string, text: string) => call(t.baseUrl, `/api/channels/${channelId}/messages`, { token: tok(id), body: { text } });

  /** What a refused action could have written: the channel's messages and events, and the user's reactions, uploads and memberships. */
  const footprint = async (channelId: string, userId: string) => {
    const db = t.server.context.store.db;
    const app = chat.appId;
    return {
      messages: (await db.selectFrom('messages').select('id').where('app_id', '=', app).where('channel_id', '=', channelId).execute()).length,
      events: (await db.selectFrom('channel_events').select('stream_offset').where('app_id', '=', app).where('channel_id', '=', channelId).execute()).length,
      reactions: (await db.selectFrom('reactions').select('type').where('app_id', '=', app).where('user_id', '=', userId).execute()).length,
      uploads: (await db.selectFrom('uploads').select('id').where('app_id', '=', app).where('user_id', '=', userId).execute()).length,
      memberships: (await db.selectFrom('members').select('channel_id').where('app_id', '=', app).where('user_id', '=', userId).execute()).length,
    };
  };

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['owner', 'bob', 'carol', 'dave', 'erin', 'fay', 'gus']);
    ({ token: mod } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' }));
    ({ token: admin } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'admin', role: 'admin' }));
    await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod2', role: 'moderator' });
    await createChannel(t, { token: tok('owner') }, { type: 'messaging', id: 'room', members: ['bob', 'carol', 'dave', 'erin', 'fay', 'gus'] });
    await createChannel(t, { token: tok('owner') }, { type: 'messaging', id: 'other', members: ['bob', 'carol'] });
    await createChannel(t, { token: tok('owner') }, { type: 'public', id: 'square' });
    // carol moderates the room.
    expect((await call(t.baseUrl, '/api/channels/room/members/carol', { token: tok('owner'), method: 'PATCH', body: { role: 'moderator' } })).status).toBe(200);
  });
  afterAll(() => t.close());

  it('refuses a channel-banned member sending, reacting, typing and uploading there, with the expiry, and none of it writes anything', async () => {
    const target = await send(t, { token: tok('owner') }, 'room', { text: 'react to me' });
    const banned = await ban({ token: tok('carol') }, { userId: 'bob', channelId: 'room', reason: 'spam', timeoutMinutes: 60 });
    expect(banned.status, JSON.stringify(banned.body)).toBe(201);
    expect(banned.body.ban).toMatchObject({ userId: 'bob', channelId: 'room', reason: 'spam', shadow: false, bannedBy: 'carol' });
    const expiresAt = banned.body.ban.expiresAt;
    expect(Date.parse(expiresAt ?? '') - Date.parse(banned.body.ban.createdAt)).toBe(60 * 60_000);

    const before = await footprint('room', 'bob');
    const refusals = [
      await sendAs('bob', 'room', 'let me in'),
      await call(t.baseUrl, `/api/messages/${target.id}/reactions`, { token: tok('bob'), body: { type: 'like' } }),
      await call(t.baseUrl, '/api/channels/room/typing', { token: tok('bob'), body: { typing: true } }),
      await upload(t.baseUrl, { token: tok('bob') }, { name: 'a.png', bytes: PNG, type: 'image/png' }, { channelId: 'room' }),
    ];
    for (const reply of refusals) {
      expectError(reply, 'user_banned', 403);
      expect((reply.body as ErrorBody).error.details).toMatchObject({ expiresAt, channelId: 'room' });
    }
    expect(await footprint('room', 'bob')).toEqual(before);
    // The ban is of this channel only.
    expect((await sendAs('bob', 'other', 'still here')).status).toBe(201);
    expect((await lift({ token: tok('carol') }, 'bob', 'room')).status).toBe(200);
  });

  it('refuses an app-banned user in every channel, their self-join to an open channel and an upload with no channel', async () => {
    expect((await ban({ apiKey: chat.apiKey }, { userId: 'dave', reason: 'abuse' })).status).toBe(201);
    const before = { room: await footprint('room', 'dave'), square: await footprint('square', 'dave') };
    for (const reply of [
      await sendAs('dave', 'room', 'hello?'),
      await call(t.baseUrl, '/api/channels/square/members', { token: tok('dave'), body: { userIds: ['dave'] } }),
      await upload(t.baseUrl, { token: tok('dave') }, { name: 'a.png', bytes: PNG, type: 'image/png' }),
    ]) {
      expectError(reply, 'user_banned', 403);
      expect((reply.body as ErrorBody).error.details).toMatchObject({ expiresAt: null, channelId: null });
    }
    expect({ room: await footprint('room', 'dave'), square: await footprint('square', 'dave') }).toEqual(before);
    // Reading is not taken away: only what others would see from the user.
    expect((await call(t.baseUrl, '/api/channels/room/messages', { token: tok('dave') })).status).toBe(200);
    expect((await lift({ apiKey: chat.apiKey }, 'dave')).status).toBe(200);
    expect((await call(t.baseUrl, '/api/channels/square/members', { token: tok('dave'), body: { userIds: ['dave'] } })).status).toBe(200);
  });

  it('lifts a ban: the user sends again, a second lift is 404 ban_not_found, and both actions are in the audit log', async () => {
    expect((await ban({ token: mod }, { userId: 'erin', reason: 'cool off' })).status).toBe(201);
    expectError(await sendAs('erin', 'room', 'no'), 'user_banned', 403);
    const lifted = await lift({ token: mod }, 'erin');
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
    expect(lifted.body.ban).toMatchObject({ userId: 'erin', channelId: null, reason: 'cool off', bannedBy: 'mod' });
    expect((await sendAs('erin', 'room', 'yes')).status).toBe(201);
    expectError(await lift({ token: mod }, 'erin'), 'ban_not_found', 404);
    expectError(await lift({ token: mod }, 'erin', 'room'), 'ban_not_found', 404);

    const audit = await t.server.context.store.db
      .selectFrom('moderation_audit')
      .selectAll()
      .where('app_id', '=', chat.appId)
      .where('target_id', '=', 'erin')
      .orderBy('created_at')
      .execute();
    expect(audit.map((a) => [a.action, a.actor_id, a.target_type, a.channel_id])).toEqual([
      ['ban', 'mod', 'user', null],
      ['unban', 'mod', 'user', null],
    ]);
    expect(audit[0]?.reason).toBe('cool off');
  });

  it('ends a timed ban by itself once its expiry passes: sends go through, it is not listed and cannot be lifted', async () => {
    // The shortest ban is a minute; its stored expiry is moved into the past instead of waiting for it.
    const banned = await ban({ apiKey: chat.apiKey }, { userId: 'fay', timeoutMinutes: 1 });
    expect(banned.status).toBe(201);
    expectError(await sendAs('fay', 'room', 'not yet'), 'user_banned', 403);
    await t.server.context.store.db
      .updateTable('bans')
      .set({ expires_at: Date.now() - 1000 })
      .where('app_id', '=', chat.appId)
      .where('user_id', '=', 'fay')
      .execute();
    expect((await sendAs('fay', 'room', 'free again')).status).toBe(201);
    const listed = await call<BansPage>(t.baseUrl, '/api/moderation/bans?limit=100', { apiKey: chat.apiKey });
    expect(listed.body.bans.map((b) => b.userId)).not.toContain('fay');
    expectError(await lift({ apiKey: chat.apiKey }, 'fay'), 'ban_not_found', 404);
    // Banning again after the expiry is a new ban (201), not a replacement.
    expect((await ban({ apiKey: chat.apiKey }, { userId: 'fay', channelId: 'room' })).status).toBe(201);
    expect((await lift({ apiKey: chat.apiKey }, 'fay', 'room')).status).toBe(200);
  });

  it('replaces a ban when banning again (200): one ban, with the new reason, kind and expiry', async () => {
    const first = await ban({ token: tok('carol') }, { userId: 'gus', channelId: 'room', reason: 'first', timeoutMinutes: 5 });
    expect(first.status).toBe(201);
    const second = await ban({ token: tok('owner') }, { userId: 'gus', channelId: 'room', reason: 'second' });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.ban).toMatchObject({ userId: 'gus', channelId: 'room', reason: 'second', expiresAt: null, bannedBy: 'owner', shadow: false });
    const listed = await call<BansPage>(t.baseUrl, '/api/moderation/bans?channelId=room', { token: tok('carol') });
    expect(listed.body.bans.filter((b) => b.userId === 'gus')).toEqual([second.body.ban]);
    const reply = await sendAs('gus', 'room', 'hm');
    expect((reply.body as ErrorBody).error.details).toMatchObject({ expiresAt: null, reason: 'second' });
    expect((await lift({ token: tok('carol') }, 'gus', 'room')).status).toBe(200);
  });

  it('lists bans in force newest first in pages, the app-wide list for app moderators, a channel list for its moderators', async () => {
    const app = await chatApp(t, ['u1', 'u2', 'u3', 'u4', 'u5', 'chanmod', 'plain'], 'Listing');
    const { token: appMod } = await issueTokens(t.baseUrl, app.apiKey, { userId: 'appmod', role: 'moderator' });
    const owner = app.users.chanmod?.token ?? '';
    await createChannel(t, { token: owner }, { type: 'messaging', id: 'hall', members: ['u1', 'u2', 'u3', 'u4', 'u5', 'plain'] });
    const made: Ban[] = [];
    for (const [userId, channelId] of [['u1', 'hall'], ['u2', undefined], ['u3', 'hall'], ['u4', undefined], ['u5', 'hall']] as const) {
      const reply = await ban({ apiKey: app.apiKey }, { userId, ...(channelId ? { channelId } : {}) });
      expect(reply.status).toBe(201);
      made.push(reply.body.ban);
      // Distinct times, so the expected order does not rest on tie-breaking.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const pages: Ban[][] = [];
    let cursor: string | null = null;
    do {
      const reply: Awaited<ReturnType<typeof call<BansPage>>> = await call<BansPage>(
        t.baseUrl,
        `/api/moderation/bans?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: appMod },
      );
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      pages.push(reply.body.bans);
      cursor = reply.body.next;
    } while (cursor !== null && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...made].reverse());

    const hall = await call<BansPage>(t.baseUrl, '/api/moderation/bans?channelId=hall', { token: owner });
    expect(hall.status).toBe(200);
    expect(hall.body.bans.map((b) => b.userId)).toEqual(['u5', 'u3', 'u1']);
    // The channel's owner is no app moderator; a plain member moderates nothing.
    expectError(await call(t.baseUrl, '/api/moderation/bans', { token: owner }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/moderation/bans?channelId=hall', { token: app.users.plain?.token ?? '' }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/moderation/bans?cursor=bm90LWEtY3Vyc29y', { apiKey: app.apiKey }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/moderation/bans?limit=0', { apiKey: app.apiKey }), 'validation_failed', 400);
  });

  it('lets only moderators ban, never above their rank, never themselves, an app admin or an unknown user', async () => {
    const denied: Array<[string, Awaited<ReturnType<typeof ban>>, string, number]> = [
      ['a member bans app-wide', await ban({ token: tok('bob') }, { userId: 'erin' }), 'forbidden', 403],
      ['a member bans in a channel', await ban({ token: tok('bob') }, { userId: 'erin', channelId: 'room' }), 'forbidden', 403],
      ['a channel moderator bans app-wide', await ban({ token: tok('carol') }, { userId: 'erin' }), 'forbidden', 403],
      ['a channel moderator bans the owner', await ban({ token: tok('carol') }, { userId: 'owner', channelId: 'room' }), 'forbidden', 403],
      ['an app moderator bans another', await ban({ token: mod }, { userId: 'mod2' }), 'forbidden', 403],
      ['an app moderator bans a channel moderator', await ban({ token: mod }, { userId: 'carol', channelId: 'room' }), 'forbidden', 403],
      ['a moderator bans themselves', await ban({ token: mod }, { userId: 'mod' }), 'forbidden', 403],
      ['the key bans an app admin', await ban({ apiKey: chat.apiKey }, { userId: 'admin' }), 'forbidden', 403],
      ['an admin bans an admin (themselves)', await ban({ token: admin }, { userId: 'admin' }), 'forbidden', 403],
      ['an unknown user', await ban({ apiKey: chat.apiKey }, { userId: 'nobody' }), 'user_not_found', 404],
      ['an unknown channel', await ban({ apiKey: chat.apiKey }, { userId: 'erin', channelId: 'nowhere' }), 'channel_not_found', 404],
      ['a channel the moderator is not in', await ban({ token: tok('carol') }, { userId: 'owner', channelId: 'square' }), 'forbidden', 403],
      ['a zero timeout', await ban({ apiKey: chat.apiKey }, { userId: 'erin', timeoutMinutes: 0 }), 'validation_failed', 400],
      ['an unknown field', await ban({ apiKey: chat.apiKey }, { userId: 'erin', forever: true }), 'validation_failed', 400],
      ['no user', await ban({ apiKey: chat.apiKey }, {}), 'validation_failed', 400],
    ];
    for (const [what, reply, code, status] of denied) {
      expect(reply.status, what).toBe(status);
      expectError(reply, code, status);
    }
    expect(await t.server.context.store.db.selectFrom('bans').select('user_id').where('app_id', '=', chat.appId).execute()).toEqual([]);
    expectError(await lift({ token: tok('bob') }, 'erin'), 'forbidden', 403);

    // An app admin bans an app moderator and a channel moderator; an app moderator bans a channel member.
    expect((await ban({ token: admin }, { userId: 'mod2' })).status).toBe(201);
    expect((await ban({ token: admin }, { userId: 'carol', channelId: 'room' })).status).toBe(201);
    expect((await ban({ token: mod }, { userId: 'bob', channelId: 'room' })).status).toBe(201);
    expect((await lift({ token: admin }, 'mod2')).status).toBe(200);
    expect((await lift({ token: mod }, 'carol', 'room')).status).toBe(200);
    expect((await lift({ token: mod }, 'bob', 'room')).status).toBe(200);
  });

  it('lets a shadow-banned user send and react as before (201): nothing refuses them', async () => {
    const target = await send(t, { token: tok('owner') }, 'room', { text: 'shadow target' });
    expect((await ban({ apiKey: chat.apiKey }, { userId: 'erin', shadow: true })).status).toBe(201);
    expect((await sendAs('erin', 'room', 'am I heard?')).status).toBe(201);
    expect((await call(t.baseUrl, `/api/messages/${target.id}/reactions`, { token: tok('erin'), body: { type: 'like' } })).status).toBe(201);
    expect((await call(t.baseUrl, '/api/channels/room/typing', { token: tok('erin'), body: { typing: true } })).status).toBeLessThan(300);
    expect((await lift({ apiKey: chat.apiKey }, 'erin')).status).toBe(200);
  });
});
