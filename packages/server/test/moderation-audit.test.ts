import type { AuditEntry, AuditPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

type Auth = { token?: string; apiKey?: string };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeKinds)('the moderation audit log on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let appModerator: string;
  let appAdmin: string;
  let channelId: string;
  /** The actions done in `beforeAll`, oldest first, as [action, actor]. */
  const done: Array<[string, string | null]> = [];
  const u = (id: string): Auth => ({ token: chat.users[id]?.token ?? '' });
  const key = (): Auth => ({ apiKey: chat.apiKey });

  const audit = (auth: Auth, query = ''): Promise<Reply<AuditPage>> => call<AuditPage>(t.baseUrl, `/api/moderation/audit${query}`, auth);

  async function moderate(auth: Auth, actor: string | null, body: Record<string, unknown>, action: string): Promise<void> {
    const reply = await call(t.baseUrl, `/api/channels/${channelId}`, { ...auth, method: 'PATCH', body });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    done.push([action, actor]);
    // Entries are ordered by time, then by id: a few milliseconds apart, their order is the order they were done in.
    await pause(3);
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'mo']);
    ({ token: appModerator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'appmod', role: 'moderator' }));
    ({ token: appAdmin } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'appadmin', role: 'admin' }));
    channelId = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    // Added as a moderator, not promoted: a role change would be an entry of its own.
    await call(t.baseUrl, `/api/channels/${channelId}/members`, { ...u('alice'), body: { userIds: ['mo'], role: 'moderator' } });
    await moderate(u('mo'), 'mo', { frozen: true }, 'channel.freeze');
    await moderate(key(), null, { cooldownSeconds: 10 }, 'channel.slow_mode');
    await moderate({ token: appModerator }, 'appmod', { frozen: false }, 'channel.unfreeze');
    await moderate(u('alice'), 'alice', { cooldownSeconds: 0 }, 'channel.slow_mode');
    await moderate(u('mo'), 'mo', { frozen: true }, 'channel.freeze');
  });
  afterAll(() => t.close());

  it('lists every action newest first, with who, what, target and when', async () => {
    const reply = await audit(key());
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const { entries, next } = reply.body;
    expect(next).toBeNull();
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([...done].reverse());
    for (const e of entries) {
      expect(e.targetType).toBe('channel');
      expect(e.targetId).toBe(channelId);
      expect(e.channelId).toBe(channelId);
      expect(Math.abs(Date.parse(e.createdAt) - Date.now())).toBeLessThan(60_000);
    }
    const times = entries.map((e) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(entries.find((e) => e.action === 'channel.slow_mode' && e.actorId === null)?.details).toEqual({ cooldownSeconds: 10 });
  });

  it('pages with limit and cursor, each entry once, and ends with next: null', async () => {
    const seen: AuditEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const reply = await audit(key(), query);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.entries.length).toBeLessThanOrEqual(2);
      seen.push(...reply.body.entries);
      cursor = reply.body.next;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((e) => [e.action, e.actorId])).toEqual([...done].reverse());
    expect(new Set(seen.map((e) => e.id)).size).toBe(done.length);
  });

  it('filters by action and by target', async () => {
    const freezes = await audit(key(), '?action=channel.freeze');
    expect(freezes.body.entries.map((e) => e.action)).toEqual(['channel.freeze', 'channel.freeze']);
    const byTarget = await audit(key(), `?targetId=${channelId}&action=channel.unfreeze`);
    expect(byTarget.body.entries.map((e) => e.actorId)).toEqual(['appmod']);
    expect((await audit(key(), '?targetId=some-other-target')).body.entries).toEqual([]);
  });

  it('is for app moderators, app admins and the key: plain users and channel moderators are refused', async () => {
    expect((await audit({ token: appModerator })).status).toBe(200);
    expect((await audit({ token: appAdmin })).body.entries).toHaveLength(done.length);
    expectError(await audit(u('bob')), 'forbidden', 403);
    expectError(await audit(u('mo')), 'forbidden', 403);
    expectError(await audit(u('alice')), 'forbidden', 403);
    expectError(await audit({}), 'unauthorized', 401);
  });

  it('keeps an entry only with its action: a refused or rolled-back change leaves none', async () => {
    const before = (await audit(key())).body.entries.length;
    expect((await call(t.baseUrl, `/api/channels/${channelId}`, { ...u('bob'), method: 'PATCH', body: { frozen: false } })).status).toBe(403);
    // The freeze and an unknown blocklist in one patch: the blocklist fails it, and the freeze goes with it.
    const mixed = await call(t.baseUrl, `/api/channels/${channelId}`, { ...u('mo'), method: 'PATCH', body: { frozen: false, cooldownSeconds: 5, blocklists: ['no-such-list'] } });
    expectError(mixed, 'blocklist_not_found', 404);
    const channel = await call<{ channel: { frozen: boolean; cooldownSeconds: number } }>(t.baseUrl, `/api/channels/${channelId}`, key());
    expect([channel.body.channel.frozen, channel.body.channel.cooldownSeconds]).toEqual([true, 0]);
    expect((await audit(key())).body.entries.length).toBe(before);
  });

  it('shows one app only its own entries', async () => {
    const { apiKey } = await t.createApp('Other');
    const reply = await audit({ apiKey });
    expect(reply.status).toBe(200);
    expect(reply.body.entries).toEqual([]);
  });

  it('answers a forged cursor, a bad limit or an unknown field with 400', async () => {
    expectError(await audit(key(), '?cursor=not-a-cursor'), 'validation_failed', 400);
    expectError(await audit(key(), `?cursor=${Buffer.from('99999999999999999999.x').toString('base64url')}`), 'validation_failed', 400);
    expectError(await audit(key(), '?limit=0'), 'validation_failed', 400);
    expectError(await audit(key(), '?limit=100000'), 'validation_failed', 400);
    expectError(await audit(key(), '?limit=two'), 'validation_failed', 400);
    expectError(await audit(key(), '?actor=mo'), 'validation_failed', 400);
  });
});
