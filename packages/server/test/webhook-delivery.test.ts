import { verifyWebhook } from '@chatsdk/node';
import type { MessageNewEvent, UserCreatedEvent, UserUpdatedEvent } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../src/domain/events/events.js';
import { newSigningSecret } from '../src/domain/webhooks/signature.js';
import { chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { insertWebhook, outboxOf, signersOf } from './helpers/webhooks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Long enough for a worker polling every 50 ms to have sent a repeat, had it meant to. */
const SETTLE_MS = 400;

describe.each(storeKinds)('webhook delivery (%s)', (kind) => {
  let t: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [receiver.hostPort] }, webhooks: { pollMs: 50 } });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('delivers a sent message once, as {type,timestamp,data}, signed with the webhook secret', async () => {
    const chat = await chatApp(t, ['alice', 'bob']);
    const hook = await insertWebhook(t.server.context.store, chat.appId, receiver.url);
    await createChannel(t, { token: chat.users.alice!.token }, { type: 'messaging', id: 'once', members: ['bob'] });
    const message = await send(t, { token: chat.users.alice!.token }, 'once', { text: 'hello hooks' });

    const ofMessage = () => receiver.received.filter((r) => r.body.type === 'message.new' && (r.body.data as MessageNewEvent).message.id === message.id);
    await receiver.waitFor(() => ofMessage().length >= 1);
    await sleep(SETTLE_MS);
    expect(ofMessage()).toHaveLength(1);
    const [request] = ofMessage();
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.id).toMatch(/^evt_/);
    expect(Math.abs(Number(request!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(signersOf(request!.headers, request!.raw, [hook.secret])).toEqual([hook.secret]);
    expect(signersOf(request!.headers, request!.raw, [newSigningSecret()])).toEqual([]);
    // And as a customer's backend checks it, with @chatsdk/node.
    expect(verifyWebhook(request!.headers, request!.raw, hook.secret)).toEqual(request!.body);
    expect(() => verifyWebhook(request!.headers, request!.raw, newSigningSecret())).toThrow();
    expect(Object.keys(request!.body)).toEqual(['type', 'timestamp', 'data']);
    const data = request!.body.data as MessageNewEvent & { channelId: string; offset: number; createdAt: string };
    expect(data).toMatchObject({ type: 'message.new', channelId: 'once', message: { id: message.id, text: 'hello hooks' } });
    expect(request!.body.timestamp).toBe(data.createdAt);

    const rows = (await outboxOf(t.server.context.store, hook.id)).filter((r) => r.event_id === request!.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 204, lane: 'once', type: 'message.new' });
    expect(rows[0]!.payload).toBe(request!.raw);
  });

  it('sends an event to every subscribed webhook of its app under one webhook-id, and to no other', async () => {
    const chat = await chatApp(t, ['carol', 'dan']);
    const other = await chatApp(t, ['erin'], 'Other');
    const store = t.server.context.store;
    const all = await insertWebhook(store, chat.appId, `${receiver.url}?all`);
    const family = await insertWebhook(store, chat.appId, `${receiver.url}?family`, { events: ['message.*'] });
    const members = await insertWebhook(store, chat.appId, `${receiver.url}?members`, { events: ['member.added'] });
    const elsewhere = await insertWebhook(store, other.appId, `${receiver.url}?elsewhere`);
    const disabled = await insertWebhook(store, chat.appId, `${receiver.url}?disabled`);
    await store.db.updateTable('webhooks').set({ disabled_at: Date.now() }).where('id', '=', disabled.id).execute();

    await createChannel(t, { token: chat.users.carol!.token }, { type: 'messaging', id: 'fan-out', members: ['dan'] });
    const message = await send(t, { token: chat.users.carol!.token }, 'fan-out', { text: 'to whom it may concern' });
    const isIt = (r: (typeof receiver.received)[number]) => r.body.type === 'message.new' && (r.body.data as MessageNewEvent).message.id === message.id;
    await receiver.waitFor((rs) => rs.filter(isIt).length >= 2);
    await sleep(SETTLE_MS);

    const got = receiver.received.filter(isIt);
    expect(got).toHaveLength(2);
    expect(new Set(got.map((r) => r.id)).size).toBe(1);
    expect(got.map((r) => signersOf(r.headers, r.raw, [all.secret, family.secret])[0]).sort()).toEqual([all.secret, family.secret].sort());
    for (const quiet of [members, elsewhere, disabled]) {
      expect((await outboxOf(store, quiet.id)).filter((r) => r.type === 'message.new')).toEqual([]);
    }
  });

  it('while a rotation lasts both secrets sign, and after it only the new one', async () => {
    const chat = await chatApp(t, ['fay']);
    const store = t.server.context.store;
    const old = newSigningSecret();
    const rotating = await insertWebhook(store, chat.appId, `${receiver.url}?rotating`, { events: ['message.new'], previousSecret: old, previousSecretUntil: Date.now() + 3_600_000 });
    const rotated = await insertWebhook(store, chat.appId, `${receiver.url}?rotated`, { events: ['message.new'], previousSecret: old, previousSecretUntil: Date.now() - 1 });
    await createChannel(t, { token: chat.users.fay!.token }, { type: 'messaging', id: 'rotation' });
    const message = await send(t, { token: chat.users.fay!.token }, 'rotation', { text: 'rotate' });
    const isIt = (r: (typeof receiver.received)[number]) => r.body.type === 'message.new' && (r.body.data as MessageNewEvent).message.id === message.id;
    await receiver.waitFor((rs) => rs.filter(isIt).length >= 2);

    const during = receiver.received.find((r) => isIt(r) && signersOf(r.headers, r.raw, [rotating.secret]).length > 0)!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(signersOf(during.headers, during.raw, [rotating.secret, old])).toEqual([rotating.secret, old]);
    const after = receiver.received.find((r) => isIt(r) && signersOf(r.headers, r.raw, [rotated.secret]).length > 0)!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(signersOf(after.headers, after.raw, [old])).toEqual([]);
  });

  it('tells of a user POST /tokens creates (user.created), of a change (user.updated), and of nothing when nothing changed', async () => {
    const { app, apiKey } = await t.createApp('Users');
    const hook = await insertWebhook(t.server.context.store, app.id, `${receiver.url}?users`, { events: ['user.*'] });
    const ofHook = () => receiver.received.filter((r) => r.raw.includes(`"id":"gus"`) && signersOf(r.headers, r.raw, [hook.secret]).length > 0);

    await issueTokens(t.baseUrl, apiKey, { userId: 'gus', name: 'Gus' });
    await receiver.waitFor(() => ofHook().length >= 1);
    await issueTokens(t.baseUrl, apiKey, { userId: 'gus', name: 'Gus' });
    await issueTokens(t.baseUrl, apiKey, { userId: 'gus', name: 'Augustus', custom: { team: 'blue' } });
    await receiver.waitFor(() => ofHook().length >= 2);
    await sleep(SETTLE_MS);

    const [created, updated, ...rest] = ofHook();
    expect(rest).toEqual([]);
    expect(created!.body.type).toBe('user.created');
    expect((created!.body.data as UserCreatedEvent).user).toMatchObject({ id: 'gus', name: 'Gus' });
    expect(updated!.body.type).toBe('user.updated');
    expect((updated!.body.data as UserUpdatedEvent).user).toMatchObject({ id: 'gus', name: 'Augustus', custom: { team: 'blue' } });
    const rows = await outboxOf(t.server.context.store, hook.id);
    expect(rows.map((r) => [r.type, r.lane, r.status])).toEqual([
      ['user.created', 'user:gus', 'delivered'],
      ['user.updated', 'user:gus', 'delivered'],
    ]);
  });

  it('tells of a user changing their own profile (user.updated) and of a deletion (user.deleted), in order on the lane of the user', async () => {
    const { app, apiKey } = await t.createApp('Profiles');
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'jo', name: 'Jo' });
    const hook = await insertWebhook(t.server.context.store, app.id, `${receiver.url}?profiles`, { events: ['user.updated', 'user.deleted'] });
    const patched = await call(t.baseUrl, '/api/users/me', { method: 'PATCH', token, body: { name: 'Joanna' } });
    expect(patched.status).toBe(200);
    const deleted = await call(t.baseUrl, '/api/users/jo', { method: 'DELETE', apiKey });
    expect(deleted.status).toBeLessThan(300);
    const ofHook = () => receiver.received.filter((r) => signersOf(r.headers, r.raw, [hook.secret]).length > 0);
    await receiver.waitFor(() => ofHook().length >= 2);
    expect(ofHook().map((r) => [r.body.type, (r.body.data as UserUpdatedEvent).user.name])).toEqual([
      ['user.updated', 'Joanna'],
      ['user.deleted', 'Joanna'],
    ]);
  });

  it('writes no delivery for a change that did not commit (a send refused by validation)', async () => {
    const chat = await chatApp(t, ['hal']);
    const hook = await insertWebhook(t.server.context.store, chat.appId, `${receiver.url}?refused`);
    await createChannel(t, { token: chat.users.hal!.token }, { type: 'messaging', id: 'refusals' });
    const before = (await outboxOf(t.server.context.store, hook.id)).length;

    const tooLong = await call(t.baseUrl, '/api/channels/refusals/messages', { token: chat.users.hal!.token, body: { text: 'x'.repeat(100_000) } });
    expect(tooLong.status).toBe(400);
    const badQuote = await call(t.baseUrl, '/api/channels/refusals/messages', { token: chat.users.hal!.token, body: { text: 'hi', quotedMessageId: 'no-such-message' } });
    expect(badQuote.status).toBe(400);
    const nowhere = await call(t.baseUrl, '/api/channels/no-such-channel/messages', { token: chat.users.hal!.token, body: { text: 'hi' } });
    expect(nowhere.status).toBeGreaterThanOrEqual(400);
    expect(nowhere.status).toBeLessThan(500);
    await sleep(SETTLE_MS);
    expect(await outboxOf(t.server.context.store, hook.id)).toHaveLength(before);

    // And the same endpoint does get the send that commits: the test above could not pass by writing nothing ever.
    await send(t, { token: chat.users.hal!.token }, 'refusals', { text: 'fine' });
    expect((await outboxOf(t.server.context.store, hook.id)).filter((r) => r.type === 'message.new')).toHaveLength(1);
  });

  it('writes no delivery for an event whose transaction rolled back after emitting it, while batched work beside it commits its own', async () => {
    const chat = await chatApp(t, ['ivy']);
    const hook = await insertWebhook(t.server.context.store, chat.appId, `${receiver.url}?rollback`, { events: ['member.removed'] });
    await createChannel(t, { token: chat.users.ivy!.token }, { type: 'messaging', id: 'rollback' });
    const ctx = t.server.context;
    // Started in one turn, so the commit batcher puts them in one transaction; the failing one makes it run again without it.
    const [failed, committed] = await Promise.allSettled([
      transact(ctx, async (_trx, events) => {
        await events.emit(chat.appId, 'rollback', { type: 'member.removed', userId: 'rolled-back' });
        throw new Error('the change fails after its event');
      }, 'rollback'),
      transact(ctx, async (_trx, events) => {
        await events.emit(chat.appId, 'rollback', { type: 'member.removed', userId: 'kept' });
      }, 'rollback'),
    ]);
    expect(failed.status).toBe('rejected');
    expect(committed.status).toBe('fulfilled');
    const rows = await outboxOf(ctx.store, hook.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).toContain('"userId":"kept"');
  });
});
