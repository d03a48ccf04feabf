import type { ChannelState, MembersPage, MembersResponse, MembershipResponse, MemberResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('members on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const server = () => ({ apiKey: chat.apiKey });

  async function events(channelId: string): Promise<string[]> {
    const rows = await t.server.context.store.db
      .selectFrom('channel_events')
      .select(['type', 'stream_offset'])
      .where('app_id', '=', chat.appId)
      .where('channel_id', '=', channelId)
      .orderBy('stream_offset')
      .execute();
    rows.forEach((row, i) => expect(row.stream_offset).toBe(i + 1));
    return rows.map((r) => r.type);
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['owner', 'admin', 'mod', 'member', 'newbie', 'outsider', 'joiner']);
  });
  afterAll(() => t.close());

  it('the owner adds members with roles up to their own; new members start with history read', async () => {
    const { channel } = await createChannel(t, u('owner'), { type: 'messaging', id: 'team-room' });
    await send(t, u('owner'), 'team-room', { text: 'before anyone came' });
    const added = await call<MembersResponse>(t.baseUrl, '/api/channels/team-room/members', { ...u('owner'), body: { userIds: ['admin'], role: 'admin' } });
    expect(added.status).toBe(200);
    expect(added.body.members).toEqual([expect.objectContaining({ userId: 'admin', role: 'admin', lastReadSeq: 1 })]);
    await call(t.baseUrl, '/api/channels/team-room/members', { ...u('admin'), body: { userIds: ['mod'], role: 'moderator' } });
    await call(t.baseUrl, '/api/channels/team-room/members', { ...u('mod'), body: { userIds: ['member'] } });
    const state = await call<ChannelState>(t.baseUrl, '/api/channels/team-room', u('member'));
    expect(state.body.channel.memberCount).toBe(4);
    expect(state.body.membership).toMatchObject({ role: 'member', unreadCount: 0 });
    // The stream begins with the owner joining at creation.
    expect(channel.offset).toBe(1);
    expect(await events('team-room')).toEqual(['member.added', 'message.new', 'member.added', 'member.added', 'member.added']);
  });

  it('refuses adding by a plain member, roles above your own, and unknown users, writing nothing', async () => {
    expectError(await call(t.baseUrl, '/api/channels/team-room/members', { ...u('member'), body: { userIds: ['newbie'] } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/channels/team-room/members', { ...u('mod'), body: { userIds: ['newbie'], role: 'admin' } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/channels/team-room/members', { ...u('owner'), body: { userIds: ['newbie', 'ghost'] } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/channels/team-room/members', { ...u('outsider'), body: { userIds: ['outsider'] } }), 'channel_not_found', 404);
    const page = await call<MembersPage>(t.baseUrl, '/api/channels/team-room/members', u('owner'));
    expect(page.body.members.map((m) => m.userId)).toEqual(['admin', 'member', 'mod', 'owner']);
    expect(await events('team-room')).toHaveLength(5);
  });

  it('adding an existing member changes nothing', async () => {
    const again = await call<MembersResponse>(t.baseUrl, '/api/channels/team-room/members', { ...u('owner'), body: { userIds: ['member'], role: 'admin' } });
    expect(again.body.members).toEqual([]);
    const page = await call<MembersPage>(t.baseUrl, '/api/channels/team-room/members', u('owner'));
    expect(page.body.members.find((m) => m.userId === 'member')?.role).toBe('member');
  });

  it('role changes never go above the changer, and only over lower roles', async () => {
    expectError(await call(t.baseUrl, '/api/channels/team-room/members/member', { ...u('mod'), method: 'PATCH', body: { role: 'admin' } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/channels/team-room/members/admin', { ...u('mod'), method: 'PATCH', body: { role: 'member' } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/channels/team-room/members/mod', { ...u('member'), method: 'PATCH', body: { role: 'member' } }), 'forbidden', 403);
    const promoted = await call<MemberResponse>(t.baseUrl, '/api/channels/team-room/members/member', { ...u('mod'), method: 'PATCH', body: { role: 'moderator' } });
    expect(promoted.body.member.role).toBe('moderator');
    const demoted = await call<MemberResponse>(t.baseUrl, '/api/channels/team-room/members/member', { ...u('admin'), method: 'PATCH', body: { role: 'member' } });
    expect(demoted.body.member.role).toBe('member');
    // Lowering one's own role is always allowed; raising it is not.
    expect((await call<MemberResponse>(t.baseUrl, '/api/channels/team-room/members/mod', { ...u('mod'), method: 'PATCH', body: { role: 'member' } })).body.member.role).toBe('member');
    expectError(await call(t.baseUrl, '/api/channels/team-room/members/mod', { ...u('mod'), method: 'PATCH', body: { role: 'moderator' } }), 'forbidden', 403);
    expect((await call<MemberResponse>(t.baseUrl, '/api/channels/team-room/members/mod', { ...server(), method: 'PATCH', body: { role: 'moderator' } })).status).toBe(200);
    expect((await events('team-room')).filter((e) => e === 'member.updated')).toHaveLength(4);
  });

  it('removal: moderators remove lower roles, anyone leaves, the server removes anyone', async () => {
    await call(t.baseUrl, '/api/channels/team-room/members', { ...u('owner'), body: { userIds: ['newbie'] } });
    expectError(await call(t.baseUrl, '/api/channels/team-room/members/admin', { ...u('mod'), method: 'DELETE' }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/channels/team-room/members/newbie', { ...u('member'), method: 'DELETE' }), 'forbidden', 403);
    expect((await call(t.baseUrl, '/api/channels/team-room/members/newbie', { ...u('mod'), method: 'DELETE' })).status).toBe(204);
    expectError(await call(t.baseUrl, '/api/channels/team-room/messages', { ...u('newbie'), body: { text: 'still here?' } }), 'channel_not_found', 404);
    expect((await call(t.baseUrl, '/api/channels/team-room/members/member', { ...u('member'), method: 'DELETE' })).status).toBe(204);
    expect((await call(t.baseUrl, '/api/channels/team-room/members/owner', { ...server(), method: 'DELETE' })).status).toBe(204);
    expectError(await call(t.baseUrl, '/api/channels/team-room/members/owner', { ...server(), method: 'DELETE' }), 'user_not_found', 404);
    const state = await call<ChannelState>(t.baseUrl, '/api/channels/team-room', u('admin'));
    expect(state.body.channel.memberCount).toBe(2);
  });

  it('anyone in the app joins an open channel themselves, but not a members-only one', async () => {
    await createChannel(t, server(), { type: 'public', id: 'lobby', name: 'Lobby' });
    expect((await call<ChannelState>(t.baseUrl, '/api/channels/lobby', u('joiner'))).body.membership).toBeNull();
    expectError(await call(t.baseUrl, '/api/channels/lobby/messages', { ...u('joiner'), body: { text: 'hi' } }), 'forbidden', 403);
    const joined = await call<MembersResponse>(t.baseUrl, '/api/channels/lobby/members', { ...u('joiner'), body: { userIds: ['joiner'] } });
    expect(joined.body.members).toEqual([expect.objectContaining({ userId: 'joiner', role: 'member' })]);
    expect((await call(t.baseUrl, '/api/channels/lobby/messages', { ...u('joiner'), body: { text: 'hi' } })).status).toBe(201);
    // Joining an open channel does not let you bring others along or pick a role.
    expectError(await call(t.baseUrl, '/api/channels/lobby/members', { ...u('outsider'), body: { userIds: ['outsider', 'newbie'] } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/channels/lobby/members', { ...u('outsider'), body: { userIds: ['outsider'], role: 'owner' } }), 'forbidden', 403);
  });

  it('pages members by user id', async () => {
    await createChannel(t, server(), { type: 'messaging', id: 'big', members: ['owner', 'admin', 'mod', 'member', 'newbie', 'outsider', 'joiner'] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call<MembersPage>>> = await call<MembersPage>(t.baseUrl, `/api/channels/big/members?limit=3${cursor ? `&cursor=${cursor}` : ''}`, server());
      expect(page.body.members.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.members.map((m) => m.userId));
      cursor = page.body.next;
    } while (cursor);
    expect(seen).toEqual(['admin', 'joiner', 'member', 'mod', 'newbie', 'outsider', 'owner']);
  });

  it('mute, pin and archive are the caller’s own settings', async () => {
    const set = await call<MembershipResponse>(t.baseUrl, '/api/channels/big/membership', { ...u('newbie'), method: 'PATCH', body: { muted: true, pinned: true } });
    expect(set.body.membership).toMatchObject({ muted: true, pinned: true, archived: false, role: 'member' });
    const other = await call<ChannelState>(t.baseUrl, '/api/channels/big', u('owner'));
    expect(other.body.membership).toMatchObject({ muted: false, pinned: false });
    expectError(await call(t.baseUrl, '/api/channels/big/membership', { ...server(), method: 'PATCH', body: { muted: true } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/channels/team-room/membership', { ...u('outsider'), method: 'PATCH', body: { muted: true } }), 'channel_not_found', 404);
  });
});
