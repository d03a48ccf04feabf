import type { AuditPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../src/domain/audit/audit-log.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/**
 * What a moderator does to others outside the moderation routes is in the
 * audit log too: deleting their message, removing them, changing their
 * role. What members do to themselves (deleting their own message, leaving,
 * stepping down) is not moderation and is not logged.
 */
describe.each(storeKinds)('the audit log of members and single deletes on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let moderator: string;
  const token = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const entriesFor = async (targetId: string) =>
    (await call<AuditPage>(t.baseUrl, `/api/moderation/audit?targetId=${targetId}`, { apiKey: chat.apiKey })).body.entries;

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'dan']);
    ({ token: moderator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' }));
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'bob', 'carol', 'dan', 'mod'] });
  });
  afterAll(() => t.close());

  it('logs a moderator’s delete of another’s message and the key’s erase, not an author’s own delete', async () => {
    const bobs = await send(t, token('bob'), 'room', { text: 'spam' });
    const alices = await send(t, token('alice'), 'room', { text: 'oops' });
    const erased = await send(t, token('carol'), 'room', { text: 'worse' });
    expect((await call(t.baseUrl, `/api/messages/${bobs.id}`, { token: moderator, method: 'DELETE' })).status).toBe(200);
    expect((await call(t.baseUrl, `/api/messages/${alices.id}`, { ...token('alice'), method: 'DELETE' })).status).toBe(200);
    expect((await call(t.baseUrl, `/api/messages/${erased.id}?hard=true`, { apiKey: chat.apiKey, method: 'DELETE' })).status).toBe(204);
    expect(await entriesFor(bobs.id)).toMatchObject([{ action: 'message.delete', actorId: 'mod', targetType: 'message', channelId: 'room', details: { hard: false, authorId: 'bob' } }]);
    expect(await entriesFor(alices.id)).toEqual([]);
    expect(await entriesFor(erased.id)).toMatchObject([{ action: 'message.delete', actorId: null, details: { hard: true, authorId: 'carol' } }]);
  });

  it('logs a removal and a role change by a moderator, not a member leaving', async () => {
    expect((await call(t.baseUrl, '/api/channels/room/members/carol', { apiKey: chat.apiKey, method: 'PATCH', body: { role: 'moderator' } })).status).toBe(200);
    expect((await call(t.baseUrl, '/api/channels/room/members/dan', { token: moderator, method: 'DELETE' })).status).toBe(204);
    expect((await call(t.baseUrl, '/api/channels/room/members/alice', { ...token('alice'), method: 'DELETE' })).status).toBe(204);
    expect(await entriesFor('carol')).toMatchObject([{ action: 'member.role', actorId: null, channelId: 'room', details: { from: 'member', to: 'moderator' } }]);
    expect(await entriesFor('dan')).toMatchObject([{ action: 'member.remove', actorId: 'mod', channelId: 'room', details: { role: 'member' } }]);
    expect(await entriesFor('alice')).toEqual([]);
  });

  it('answers entries written in one millisecond in the order they were written, newest first', async () => {
    // Five entries of one instant (a review writes its ban and itself in one transaction, often in one ms).
    const at = Date.now() + 60_000;
    await t.server.context.store.db.transaction().execute(async (trx) => {
      for (const n of [1, 2, 3, 4, 5]) await recordAudit(trx, { appId: chat.appId, action: `same.ms.${n}`, actorId: null, targetType: 'user', targetId: 'same-ms', at });
    });
    const entries = await entriesFor('same-ms');
    expect(entries.map((e) => e.action)).toEqual(['same.ms.5', 'same.ms.4', 'same.ms.3', 'same.ms.2', 'same.ms.1']);
  });
});
