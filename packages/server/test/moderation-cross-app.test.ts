import type { AuditPage, FlagResponse, FlagsPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/**
 * Moderation stays inside its app: another app's key or moderator can
 * neither see nor touch this app's bans, flags, blocklists, audit log or
 * users' messages, and every probe is answered as if the thing did not exist.
 */
describe.each(storeKinds)('moderation across apps on %s', (kind) => {
  let t: TestServer;
  let a: ChatApp;
  let b: ChatApp;
  let bMod: string;
  let flagId: string;
  let messageId: string;

  beforeAll(async () => {
    t = await startTestServer(kind);
    a = await chatApp(t, ['alice', 'troll'], 'A');
    b = await chatApp(t, ['bea'], 'B');
    ({ token: bMod } = await issueTokens(t.baseUrl, b.apiKey, { userId: 'bmod', role: 'admin' }));
    await createChannel(t, { apiKey: a.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'troll'] });
    messageId = (await send(t, { token: a.users.troll?.token ?? '' }, 'room', { text: 'rude' })).id;
    const flag = await call<FlagResponse>(t.baseUrl, `/api/messages/${messageId}/flag`, { token: a.users.alice?.token ?? '', body: { reason: 'spam' } });
    flagId = flag.body.flag.id;
    expect((await call(t.baseUrl, '/api/moderation/blocklists', { apiKey: a.apiKey, body: { name: 'words', words: ['rude'], mode: 'mask' } })).status).toBe(201);
    expect((await call(t.baseUrl, '/api/moderation/bans', { apiKey: a.apiKey, body: { userId: 'troll', channelId: 'room' } })).status).toBe(201);
  });
  afterAll(() => t.close());

  for (const as of ['key', 'moderator'] as const) {
    it(`refuses or hides every one of app A's moderation objects from app B's ${as}`, async () => {
      const auth = as === 'key' ? { apiKey: b.apiKey } : { token: bMod };
      expectError(await call(t.baseUrl, '/api/moderation/bans', { ...auth, body: { userId: 'troll' } }), 'user_not_found', 404);
      expectError(await call(t.baseUrl, '/api/moderation/bans/troll?channelId=room', { ...auth, method: 'DELETE' }), 'channel_not_found', 404);
      expect((await call<{ bans: unknown[] }>(t.baseUrl, '/api/moderation/bans', auth)).body.bans).toEqual([]);
      expect((await call<FlagsPage>(t.baseUrl, '/api/moderation/flags', auth)).body.flags).toEqual([]);
      expectError(await call(t.baseUrl, `/api/moderation/flags/${flagId}/review`, { ...auth, body: { action: 'delete_message' } }), 'flag_not_found', 404);
      expectError(await call(t.baseUrl, '/api/moderation/blocklists/words', auth), 'blocklist_not_found', 404);
      expectError(await call(t.baseUrl, '/api/moderation/blocklists/words', { ...auth, method: 'DELETE' }), 'blocklist_not_found', 404);
      // B's own log holds only what B did (a bulk delete that found nothing is still B's action), none of A's.
      const bLog = (await call<AuditPage>(t.baseUrl, '/api/moderation/audit', auth)).body.entries;
      expect(bLog.every((e) => e.action === 'messages.delete' && e.details.count === 0), JSON.stringify(bLog)).toBe(true);
      expect((await call<{ deleted: number }>(t.baseUrl, '/api/moderation/users/troll/delete-messages', { ...auth, body: {} })).body.deleted).toBe(0);
      expectError(await call(t.baseUrl, '/api/channels/room', { ...auth, method: 'PATCH', body: { frozen: true } }), 'channel_not_found', 404);
    });
  }

  it('lets app B’s users flag and mute nothing of app A', async () => {
    const bea = { token: b.users.bea?.token ?? '' };
    expectError(await call(t.baseUrl, `/api/messages/${messageId}/flag`, { ...bea, body: {} }), 'message_not_found', 404);
    expectError(await call(t.baseUrl, '/api/users/troll/flag', { ...bea, body: {} }), 'user_not_found', 404);
    expectError(await call(t.baseUrl, '/api/users/troll/mute', { ...bea, method: 'POST' }), 'user_not_found', 404);
  });

  it('left app A as it was', async () => {
    const flags = await call<FlagsPage>(t.baseUrl, '/api/moderation/flags', { apiKey: a.apiKey });
    expect(flags.body.flags.map((f) => f.id)).toEqual([flagId]);
    const message = await call<{ message: { text: string; deletedAt: string | null } }>(t.baseUrl, `/api/messages/${messageId}`, { apiKey: a.apiKey });
    expect(message.body.message).toMatchObject({ text: 'rude', deletedAt: null });
    expect((await call<{ bans: unknown[] }>(t.baseUrl, '/api/moderation/bans', { apiKey: a.apiKey })).body.bans).toHaveLength(1);
    expect((await call(t.baseUrl, '/api/moderation/blocklists/words', { apiKey: a.apiKey })).status).toBe(200);
    const audit = await call<AuditPage>(t.baseUrl, '/api/moderation/audit', { apiKey: a.apiKey });
    expect(audit.body.entries.map((e) => e.action).sort()).toEqual(['ban', 'blocklist.create', 'flag']);
  });
});
