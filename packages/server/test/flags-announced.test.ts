import type { CreateTokenResponse, Flag, FlagResponse, FlagsPage, ModerationFlaggedEvent, UserEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../src/domain/events/events.js';
import { flagMessageBySystem } from '../src/domain/moderation/flag-writes.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { connectWithPersonal } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { insertWebhook, outboxOf } from './helpers/webhooks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const flaggedOf = (messageId: string) => (event: UserEvent) => event.type === 'moderation.flagged' && event.flag.messageId === messageId;

describe.each(storeKinds)('moderation.flagged to moderators and webhooks on %s', (kind) => {
  let t: TestServer;
  let receiver: WebhookReceiver;
  const clients: Centrifuge[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [receiver.hostPort] }, webhooks: { pollMs: 50 } });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  /** An app with alice, bob and carol in `room`, a moderator and an admin, with everyone's tokens. */
  async function world(): Promise<{ chat: ChatApp; tokens: Record<string, CreateTokenResponse> }> {
    const chat = await chatApp(t, []);
    const tokens: Record<string, CreateTokenResponse> = {};
    for (const [userId, role] of [['alice', 'user'], ['bob', 'user'], ['carol', 'user'], ['mod', 'moderator'], ['boss', 'admin']] as const) {
      tokens[userId] = await issueTokens(t.baseUrl, chat.apiKey, { userId, role });
    }
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'bob', 'carol'] });
    return { chat, tokens };
  }

  it("reaches a connected app moderator's and admin's personal streams, and not a plain user's", async () => {
    const { chat, tokens } = await world();
    const connect = (id: string) => connectWithPersonal(t, tokens[id]!.wsToken, id, clients);
    const [mod, boss, carol] = [await connect('mod'), await connect('boss'), await connect('carol')];
    const message = await send(t, { token: tokens.alice!.token }, 'room', { text: 'flag me' });
    const flagged = await call<FlagResponse>(t.baseUrl, `/api/messages/${message.id}/flag`, { token: tokens.bob!.token, body: { reason: 'spam' } });
    expect(flagged.status).toBe(201);

    const event = (await mod.personal.until(flaggedOf(message.id))) as ModerationFlaggedEvent;
    expect(event.flag).toMatchObject({ id: flagged.body.flag.id, flagCount: 1, reasons: ['spam'], message: { text: 'flag me' } });
    await boss.personal.until(flaggedOf(message.id));
    // Had carol been told, it would have come with the others: the same publish reached all three.
    await sleep(200);
    expect(carol.personal.items.filter((e) => e.type === 'moderation.flagged')).toEqual([]);

    // A repeat report is no news.
    await call(t.baseUrl, `/api/messages/${message.id}/flag`, { token: tokens.bob!.token, body: {} });
    await sleep(200);
    expect(mod.personal.items.filter(flaggedOf(message.id))).toHaveLength(1);
  });

  it('reaches a webhook, in the lane of the message\'s channel, after its message.new', async () => {
    const { chat, tokens } = await world();
    const hook = await insertWebhook(t.server.context.store, chat.appId, receiver.url, { events: ['message.new', 'moderation.*'] });
    const message = await send(t, { token: tokens.alice!.token }, 'room', { text: 'hooked' });
    const flagged = await call<FlagResponse>(t.baseUrl, `/api/messages/${message.id}/flag`, { token: tokens.bob!.token, body: { reason: 'rude' } });
    const user = await call<FlagResponse>(t.baseUrl, '/api/users/alice/flag', { token: tokens.carol!.token, body: {} });

    const ofApp = () => receiver.received.filter((r) => r.raw.includes(message.id) || r.raw.includes(user.body.flag.id));
    await receiver.waitFor(() => ofApp().filter((r) => r.body.type === 'moderation.flagged').length >= 2);
    const types = ofApp().map((r) => r.body.type);
    expect(types.indexOf('message.new')).toBeLessThan(types.indexOf('moderation.flagged'));
    const data = ofApp().map((r) => r.body.data as ModerationFlaggedEvent).filter((d) => d.type === 'moderation.flagged');
    expect(data.map((d) => d.flag.id).sort()).toEqual([flagged.body.flag.id, user.body.flag.id].sort());
    const rows = (await outboxOf(t.server.context.store, hook.id)).filter((r) => r.type === 'moderation.flagged');
    expect(rows.map((r) => r.lane).sort()).toEqual(['room', 'user:alice']);
  });

  it("shares one flag between a blocklist's report and users' reports; the system's does not count towards auto-hide", async () => {
    const { chat, tokens } = await world();
    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { autoHideAfterFlags: 2 } });
    const message = await send(t, { token: tokens.alice!.token }, 'room', { text: 'matches a list' });
    const system = await transact(t.server.context, (trx) => flagMessageBySystem(t.server.context.store, trx, { appId: chat.appId, message, reason: 'blocklist: rude' }));
    expect(system).toMatchObject({ flagCount: 1, reports: [{ userId: null, reason: 'blocklist: rude' }] });
    // Asking again (an edit matching again) adds no second system report.
    expect(await transact(t.server.context, (trx) => flagMessageBySystem(t.server.context.store, trx, { appId: chat.appId, message, reason: 'blocklist: rude' }))).toBeUndefined();

    const reply = await call<FlagResponse>(t.baseUrl, `/api/messages/${message.id}/flag`, { token: tokens.bob!.token, body: { reason: 'rude' } });
    expect(reply.body.flag).toMatchObject({ id: system!.id, flagCount: 2 });
    // Two reports, one of them the system's: below the app's two user reports.
    expect(reply.body.flag.message?.hidden).toBeUndefined();
    const queue = await call<FlagsPage>(t.baseUrl, '/api/moderation/flags', { apiKey: chat.apiKey });
    expect(queue.body.flags.map((f: Flag) => [f.id, f.flagCount])).toEqual([[system!.id, 2]]);
    const audit = await t.server.context.store.db.selectFrom('moderation_audit').select(['actor_id', 'action']).where('app_id', '=', chat.appId).orderBy('created_at').execute();
    expect(audit).toEqual([{ actor_id: null, action: 'flag' }, { actor_id: 'bob', action: 'flag' }]);
  });
});
