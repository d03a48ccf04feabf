import type { AuditEntry, AuditPage, FlagResponse, Message } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

type Auth = { token?: string; apiKey?: string };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one entry must say; `details` lists only the keys checked. */
interface Expected {
  action: string;
  actorId: string | null;
  targetType: AuditEntry['targetType'];
  targetId: string;
  channelId: string | null;
  reason: string | null;
  details?: Record<string, unknown>;
}

/**
 * "Every moderation action (who, what, target, reason, when) is in the
 * audit log": each action is done through HTTP, as a client would, and the
 * log must then hold exactly the entries those actions stand for, newest
 * first, each dated within the request that made it.
 */
describe.each(storeKinds)('every moderation action is in the audit log on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let appModerator: string;
  let channelId: string;
  let message: Message;
  let reported: Message;
  const u = (id: string): Auth => ({ token: chat.users[id]?.token ?? '' });
  const key = (): Auth => ({ apiKey: chat.apiKey });

  /** Each action, oldest first: the entries it must have left, and when it ran. */
  const steps: Array<{ name: string; expected: Expected[]; from: number; to: number }> = [];
  const entriesByStep = new Map<string, AuditEntry[]>();

  /** Does one action and asserts its HTTP answer was a success. */
  async function act(name: string, request: () => Promise<Reply>, expected: Expected[]): Promise<Reply> {
    const from = Date.now();
    const reply = await request();
    const to = Date.now();
    expect(reply.status, `${name}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
    steps.push({ name, expected, from, to });
    // Entries are ordered by time, then id: a few milliseconds apart, the log's order is the actions' order.
    await pause(4);
    return reply;
  }

  const patchChannel = (auth: Auth, body: Record<string, unknown>) => call(t.baseUrl, `/api/channels/${channelId}`, { ...auth, method: 'PATCH', body });
  const channelEntry = (action: string, actorId: string | null, details?: Record<string, unknown>): Expected => ({
    action,
    actorId,
    targetType: 'channel',
    targetId: channelId,
    channelId,
    reason: null,
    ...(details ? { details } : {}),
  });

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'dave', 'mo']);
    ({ token: appModerator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'appmod', role: 'moderator' }));
    channelId = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'carol', 'dave'] })).channel.id;
    // Added as a moderator, not promoted: a role change would be an entry of its own (see moderation-audit-members-and-deletes).
    await call(t.baseUrl, `/api/channels/${channelId}/members`, { ...u('alice'), body: { userIds: ['mo'], role: 'moderator' } });
    message = await send(t, u('bob'), channelId, { text: 'something rude' });
    reported = await send(t, u('dave'), channelId, { text: 'something worse' });

    // Bans: app-wide (timed) by an app moderator, lifted by the key; per channel by a channel moderator, lifted by them.
    await act('ban', () => call(t.baseUrl, '/api/moderation/bans', { token: appModerator, body: { userId: 'bob', reason: 'spamming', timeoutMinutes: 60 } }), [
      { action: 'ban', actorId: 'appmod', targetType: 'user', targetId: 'bob', channelId: null, reason: 'spamming', details: { shadow: false } },
    ]);
    await act('unban', () => call(t.baseUrl, '/api/moderation/bans/bob', { ...key(), method: 'DELETE' }), [
      { action: 'unban', actorId: null, targetType: 'user', targetId: 'bob', channelId: null, reason: null },
    ]);
    await act('channel ban', () => call(t.baseUrl, '/api/moderation/bans', { ...u('mo'), body: { userId: 'bob', channelId, reason: 'off topic', shadow: true } }), [
      { action: 'ban', actorId: 'mo', targetType: 'user', targetId: 'bob', channelId, reason: 'off topic', details: { shadow: true, expiresAt: null } },
    ]);
    await act('channel unban', () => call(t.baseUrl, `/api/moderation/bans/bob?channelId=${channelId}`, { ...u('mo'), method: 'DELETE' }), [
      { action: 'unban', actorId: 'mo', targetType: 'user', targetId: 'bob', channelId, reason: null },
    ]);

    // Flags of a message and of a user, and reviews of each.
    const messageFlag = await act('flag a message', () => call<FlagResponse>(t.baseUrl, `/api/messages/${message.id}/flag`, { ...u('carol'), body: { reason: 'rude' } }), [
      { action: 'flag', actorId: 'carol', targetType: 'message', targetId: message.id, channelId, reason: 'rude' },
    ]);
    const userFlag = await act('flag a user', () => call<FlagResponse>(t.baseUrl, '/api/users/dave/flag', { ...u('carol'), body: { reason: 'troll' } }), [
      { action: 'flag', actorId: 'carol', targetType: 'user', targetId: 'dave', channelId: null, reason: 'troll' },
    ]);
    const messageFlagId = (messageFlag.body as FlagResponse).flag.id;
    const userFlagId = (userFlag.body as FlagResponse).flag.id;
    await act('review: dismiss', () => call(t.baseUrl, `/api/moderation/flags/${messageFlagId}/review`, { token: appModerator, body: { action: 'dismiss', reason: 'banter' } }), [
      { action: 'review', actorId: 'appmod', targetType: 'flag', targetId: messageFlagId, channelId, reason: 'banter', details: { action: 'dismiss' } },
    ]);
    // A review that bans leaves the ban's own entry beside the review's.
    await act('review: ban_user', () => call(t.baseUrl, `/api/moderation/flags/${userFlagId}/review`, { ...key(), body: { action: 'ban_user', reason: 'repeat troll', timeoutMinutes: 10 } }), [
      { action: 'ban', actorId: null, targetType: 'user', targetId: 'dave', channelId: null, reason: 'repeat troll' },
      { action: 'review', actorId: null, targetType: 'flag', targetId: userFlagId, channelId: null, reason: 'repeat troll', details: { action: 'ban_user' } },
    ]);

    // Blocklists: create, change, attach to the channel, delete.
    await act('blocklist create', () => call(t.baseUrl, '/api/moderation/blocklists', { token: appModerator, body: { name: 'rude', words: ['darn'], mode: 'mask' } }), [
      { action: 'blocklist.create', actorId: 'appmod', targetType: 'blocklist', targetId: 'rude', channelId: null, reason: null },
    ]);
    await act('blocklist update', () => call(t.baseUrl, '/api/moderation/blocklists/rude', { ...key(), method: 'PATCH', body: { words: ['darn', 'heck'] } }), [
      { action: 'blocklist.update', actorId: null, targetType: 'blocklist', targetId: 'rude', channelId: null, reason: null },
    ]);
    await act('channel blocklists', () => patchChannel(u('mo'), { blocklists: ['rude'] }), [channelEntry('channel.blocklists', 'mo', { blocklists: ['rude'] })]);
    await act('channel blocklists off', () => patchChannel(u('mo'), { blocklists: [] }), [channelEntry('channel.blocklists', 'mo', { blocklists: [] })]);
    await act('blocklist delete', () => call(t.baseUrl, '/api/moderation/blocklists/rude', { token: appModerator, method: 'DELETE' }), [
      { action: 'blocklist.delete', actorId: 'appmod', targetType: 'blocklist', targetId: 'rude', channelId: null, reason: null },
    ]);

    // Freeze, unfreeze and slow mode, by the channel's moderator, an app moderator and the key.
    await act('freeze', () => patchChannel(u('mo'), { frozen: true }), [channelEntry('channel.freeze', 'mo')]);
    await act('unfreeze', () => patchChannel({ token: appModerator }, { frozen: false }), [channelEntry('channel.unfreeze', 'appmod')]);
    await act('slow mode', () => patchChannel(key(), { cooldownSeconds: 30 }), [channelEntry('channel.slow_mode', null, { cooldownSeconds: 30 })]);
    await act('slow mode off', () => patchChannel(u('alice'), { cooldownSeconds: 0 }), [channelEntry('channel.slow_mode', 'alice', { cooldownSeconds: 0 })]);

    // Auto-hide: with a threshold of one report, the system hides the message the report names.
    const settings = await call(t.baseUrl, '/api/app', { ...key(), method: 'PATCH', body: { autoHideAfterFlags: 1 } });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    await act('auto-hide', () => call(t.baseUrl, `/api/messages/${reported.id}/flag`, { ...u('alice'), body: { reason: 'vile' } }), [
      { action: 'flag', actorId: 'alice', targetType: 'message', targetId: reported.id, channelId, reason: 'vile' },
      { action: 'message.hide', actorId: null, targetType: 'message', targetId: reported.id, channelId, reason: expect.stringContaining('1') },
    ]);

    // Bulk deletes: soft in the channel by its moderator, hard app-wide by the key.
    await act('bulk delete', () => call(t.baseUrl, `/api/moderation/users/bob/delete-messages`, { ...u('mo'), body: { channelId } }), [
      { action: 'messages.delete', actorId: 'mo', targetType: 'user', targetId: 'bob', channelId, reason: null, details: { count: 1, hard: false } },
    ]);
    await act('bulk erase', () => call(t.baseUrl, `/api/moderation/users/dave/delete-messages`, { ...key(), body: { hard: true } }), [
      { action: 'messages.delete', actorId: null, targetType: 'user', targetId: 'dave', channelId, reason: null, details: { count: 1, hard: true } },
    ]);

    // Read the whole log, page by page, newest first, and hand each step its entries.
    const all: AuditEntry[] = [];
    let cursor: string | null = null;
    do {
      const reply: Reply<AuditPage> = await call<AuditPage>(t.baseUrl, `/api/moderation/audit?limit=5${cursor ? `&cursor=${cursor}` : ''}`, key());
      expect(reply.status).toBe(200);
      all.push(...reply.body.entries);
      cursor = reply.body.next;
    } while (cursor !== null);
    const oldestFirst = [...all].reverse();
    let at = 0;
    for (const step of steps) {
      entriesByStep.set(step.name, oldestFirst.slice(at, at + step.expected.length));
      at += step.expected.length;
    }
    expect(all.length, all.map((e) => e.action).join(', ')).toBe(at);
  });
  afterAll(() => t.close());

  const names = [
    'ban',
    'unban',
    'channel ban',
    'channel unban',
    'flag a message',
    'flag a user',
    'review: dismiss',
    'review: ban_user',
    'blocklist create',
    'blocklist update',
    'channel blocklists',
    'channel blocklists off',
    'blocklist delete',
    'freeze',
    'unfreeze',
    'slow mode',
    'slow mode off',
    'auto-hide',
    'bulk delete',
    'bulk erase',
  ];

  it.each(names)('%s: who, what, target, reason and when', (name) => {
    const step = steps.find((s) => s.name === name);
    if (!step) throw new Error(`step "${name}" did not run`);
    const entries = entriesByStep.get(name) ?? [];
    const byAction = (a: { action: string }, b: { action: string }) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0);
    const got = [...entries].sort(byAction);
    const want = [...step.expected].sort(byAction);
    expect(got.map((e) => e.action)).toEqual(want.map((e) => e.action));
    want.forEach((expected, i) => {
      const entry = got[i];
      if (!entry) throw new Error('missing entry');
      const { details, ...fields } = expected;
      expect({ action: entry.action, actorId: entry.actorId, targetType: entry.targetType, targetId: entry.targetId, channelId: entry.channelId, reason: entry.reason }).toEqual(fields);
      if (details) expect(entry.details).toMatchObject(details);
      const when = Date.parse(entry.createdAt);
      expect(when).toBeGreaterThanOrEqual(step.from);
      expect(when).toBeLessThanOrEqual(step.to);
    });
  });
});
