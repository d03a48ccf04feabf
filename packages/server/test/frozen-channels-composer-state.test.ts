import type { ChannelsPage, ChannelState, Membership } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_WIDE } from '../src/domain/auth/ban-records.js';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/**
 * What a composer reads to show "frozen", "slow mode" or "banned" before the
 * user types: the channel's `frozen` and `cooldownSeconds`, and the
 * caller's own `membership.ban`, the same on a channel read and in a list.
 */
describe.each(storeKinds)('the composer state of a channel on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  async function membershipIn(userId: string, channelId: string): Promise<{ read: Membership | null; listed: Membership | null }> {
    const read = await call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, u(userId));
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    const list = await call<ChannelsPage>(t.baseUrl, '/api/channels?limit=100', u(userId));
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const listed = list.body.channels.find((c) => c.channel.id === channelId);
    return { read: read.body.membership, listed: listed?.membership ?? null };
  }

  /** Writes a ban row as the bans routes store it; `at` ages it. */
  async function banRow(userId: string, channelId: string | null, options: { shadow?: boolean; expiresAt?: number | null } = {}): Promise<void> {
    await t.server.context.store.db
      .insertInto('bans')
      .values({
        app_id: chat.appId,
        user_id: userId,
        channel_id: channelId ?? APP_WIDE,
        shadow: options.shadow ? 1 : 0,
        reason: 'test',
        banned_by: null,
        created_at: Date.now(),
        expires_at: options.expiresAt ?? null,
      })
      .execute();
  }

  const ban = (body: Record<string, unknown>) => call(t.baseUrl, '/api/moderation/bans', { apiKey: chat.apiKey, body });

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace']);
  });
  afterAll(() => t.close());

  it('has no ban for a member who is not banned', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    const { read, listed } = await membershipIn('bob', id);
    expect(read).not.toBeNull();
    expect(read?.ban).toBeUndefined();
    expect(listed?.ban).toBeUndefined();
  });

  it('carries a channel ban (until lifted, or with its expiry) on a read and in the list, and not in other channels', async () => {
    const banned = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    const other = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    const reply = await ban({ userId: 'bob', channelId: banned });
    expect([200, 201], JSON.stringify(reply.body)).toContain(reply.status);
    const state = await membershipIn('bob', banned);
    expect(state.read?.ban).toEqual({ expiresAt: null, channelId: banned });
    expect(state.listed?.ban).toEqual({ expiresAt: null, channelId: banned });
    const elsewhere = await membershipIn('bob', other);
    expect(elsewhere.read?.ban).toBeUndefined();
    expect(elsewhere.listed?.ban).toBeUndefined();

    const timed = await ban({ userId: 'bob', channelId: banned, timeoutMinutes: 30 });
    expect(timed.status, JSON.stringify(timed.body)).toBe(200);
    const after = await membershipIn('bob', banned);
    const expiresAt = Date.parse(after.read?.ban?.expiresAt ?? '');
    expect(Math.abs(expiresAt - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);
    expect(after.listed?.ban).toEqual(after.read?.ban);
  });

  it('carries an app ban in every channel, on a read and in the list', async () => {
    const first = (await createChannel(t, u('alice'), { type: 'messaging', members: ['carol'] })).channel.id;
    const second = (await createChannel(t, u('alice'), { type: 'team', members: ['carol'] })).channel.id;
    await banRow('carol', null, { expiresAt: Date.now() + 3_600_000 });
    for (const id of [first, second]) {
      const { read, listed } = await membershipIn('carol', id);
      expect(read?.ban?.channelId).toBeNull();
      expect(read?.ban?.expiresAt).not.toBeNull();
      expect(listed?.ban).toEqual(read?.ban);
    }
  });

  it('never shows a shadow ban to its user', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['dave', 'erin'] })).channel.id;
    await banRow('dave', id, { shadow: true });
    await banRow('erin', null, { shadow: true });
    for (const who of ['dave', 'erin']) {
      const { read, listed } = await membershipIn(who, id);
      expect(read?.ban).toBeUndefined();
      expect(listed?.ban).toBeUndefined();
    }
  });

  it('shows an app ban over a shadow ban from the channel (the refusing one rules)', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['grace'] })).channel.id;
    await banRow('grace', id, { shadow: true });
    await banRow('grace', null);
    const { read, listed } = await membershipIn('grace', id);
    expect(read?.ban).toEqual({ expiresAt: null, channelId: null });
    expect(listed?.ban).toEqual({ expiresAt: null, channelId: null });
  });

  it('drops a ban once it has expired, whether or not its row is gone', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['frank'] })).channel.id;
    await banRow('frank', id, { expiresAt: Date.now() - 1000 });
    const { read, listed } = await membershipIn('frank', id);
    expect(read?.ban).toBeUndefined();
    expect(listed?.ban).toBeUndefined();
  });

  it('drops a ban once it is lifted', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    await ban({ userId: 'bob', channelId: id });
    expect((await membershipIn('bob', id)).read?.ban).toBeDefined();
    const lifted = await call(t.baseUrl, `/api/moderation/bans/bob?channelId=${id}`, { apiKey: chat.apiKey, method: 'DELETE' });
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
    const { read, listed } = await membershipIn('bob', id);
    expect(read?.ban).toBeUndefined();
    expect(listed?.ban).toBeUndefined();
  });

  it('shows frozen and cooldownSeconds on a read and in the list', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    const set = await call<ChannelState>(t.baseUrl, `/api/channels/${id}`, { ...u('alice'), method: 'PATCH', body: { frozen: true, cooldownSeconds: 20 } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const read = await call<ChannelState>(t.baseUrl, `/api/channels/${id}`, u('bob'));
    expect([read.body.channel.frozen, read.body.channel.cooldownSeconds]).toEqual([true, 20]);
    const list = await call<ChannelsPage>(t.baseUrl, '/api/channels?limit=100', u('bob'));
    const listed = list.body.channels.find((c) => c.channel.id === id);
    expect([listed?.channel.frozen, listed?.channel.cooldownSeconds]).toEqual([true, 20]);
  });
});
