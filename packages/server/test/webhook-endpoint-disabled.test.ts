import type { WebhookBody, WebhookDisabledEvent } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookBody } from '../src/domain/webhooks/webhook-body.js';
import { enqueue } from '../src/outbox/index.js';
import { chatApp, createChannel, send } from './helpers/chat.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { insertWebhook, outboxOf } from './helpers/webhooks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The 24 h of retries shrunk to 600 ms: the same rule on a clock that runs 144,000 times faster. */
const schedule = { delaysMs: [40, 80], windowMs: 600, jitter: 0 };

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await sleep(20);
  }
}

describe.each(storeKinds)('an endpoint that keeps failing (%s)', (kind) => {
  let t: TestServer;
  let failing: WebhookReceiver;
  let healthy: WebhookReceiver;

  beforeAll(async () => {
    failing = await startWebhookReceiver();
    healthy = await startWebhookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [failing.hostPort, healthy.hostPort] }, webhooks: { pollMs: 20, schedule } });
  });
  afterAll(async () => {
    await t?.close();
    await failing?.close();
    await healthy?.close();
  });

  it('is disabled after the whole window of failures, its pending deliveries given up, and webhook.disabled written to its log', async () => {
    const chat = await chatApp(t, ['alice']);
    const store = t.server.context.store;
    const broken = await insertWebhook(store, chat.appId, failing.url, { events: ['message.new'] });
    const fine = await insertWebhook(store, chat.appId, healthy.url, { events: ['message.new'] });
    failing.failAll(503);
    const alice = { token: chat.users.alice!.token };
    await createChannel(t, alice, { type: 'messaging', id: 'one' });
    await createChannel(t, alice, { type: 'messaging', id: 'two' });
    const startedAt = Date.now();
    await send(t, alice, 'one', { text: 'first' });
    await send(t, alice, 'one', { text: 'held back behind first' });
    await send(t, alice, 'two', { text: 'another lane' });

    const hook = await until(
      () => store.db.selectFrom('webhooks').selectAll().where('id', '=', broken.id).executeTakeFirstOrThrow(),
      (row) => row.disabled_at !== null,
    );
    expect(hook.failing_since).not.toBeNull();
    expect(hook.disabled_at! - hook.failing_since!).toBeGreaterThanOrEqual(schedule.windowMs);
    expect(hook.disabled_at! - startedAt).toBeLessThan(8_000);
    expect(failing.received.length).toBeGreaterThanOrEqual(3);

    const rows = await outboxOf(store, broken.id);
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    expect(rows.filter((r) => r.type === 'message.new').map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    const notice = rows.filter((r) => r.type === 'webhook.disabled');
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatchObject({ status: 'failed', attempts: 0, lane: `webhook:${broken.id}` });
    const body = JSON.parse(notice[0]!.payload) as WebhookBody;
    expect(body.type).toBe('webhook.disabled');
    expect(body.data as WebhookDisabledEvent).toMatchObject({ type: 'webhook.disabled', webhookId: broken.id });
    expect((body.data as WebhookDisabledEvent).reason).toMatch(/failed/);
    // The notice is for the log: it is not sent to the endpoint that fails.
    await sleep(200);
    expect(failing.received.some((r) => r.body.type === 'webhook.disabled')).toBe(false);

    // The app's other endpoint went on as usual, and a disabled endpoint gets no new deliveries written.
    expect((await outboxOf(store, fine.id)).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    await send(t, alice, 'two', { text: 'after the disabling' });
    expect((await outboxOf(store, broken.id)).length).toBe(rows.length);
    await healthy.waitFor((rs) => rs.length >= 4);
  });

  it('drops the pending deliveries of a webhook that was deleted', async () => {
    const chat = await chatApp(t, ['bob']);
    const store = t.server.context.store;
    const gone = await insertWebhook(store, chat.appId, `${failing.url}?gone`, { events: ['message.new'] });
    failing.failAll(500);
    await createChannel(t, { token: chat.users.bob!.token }, { type: 'messaging', id: 'deleted' });
    await send(t, { token: chat.users.bob!.token }, 'deleted', { text: 'nobody listens' });
    await until(() => outboxOf(store, gone.id), (rows) => rows.some((r) => r.attempts >= 1));
    const seen = failing.received.length;
    await store.db.deleteFrom('webhooks').where('id', '=', gone.id).execute();
    await until(() => outboxOf(store, gone.id), (rows) => rows.length === 0);
    await sleep(200);
    expect(failing.received.length).toBeLessThanOrEqual(seen + 1);
  });

  it('holds the deliveries of an endpoint the app paused, without counting attempts, and sends them once it is enabled', async () => {
    const { app } = await t.createApp('Paused');
    const store = t.server.context.store;
    const paused = await insertWebhook(store, app.id, `${healthy.url}?paused`, { events: ['message.new'] });
    await store.db.updateTable('webhooks').set({ disabled_at: Date.now() }).where('id', '=', paused.id).execute();
    // A delivery written before the pause (the pause itself stops new ones from being written).
    const body = webhookBody('message.new', Date.now(), '{"type":"message.new","note":"wait for me"}');
    await enqueue(store.db, [{ appId: app.id, eventId: 'evt_paused', targetKind: 'webhook', targetId: paused.id, lane: 'paused', type: 'message.new', payload: body }]);
    const ofPaused = () => healthy.received.filter((r) => r.id === 'evt_paused');

    // Several rechecks (every 40 ms here, 5 s by default) later: not sent, no attempt counted, still owed.
    await sleep(400);
    expect(ofPaused()).toEqual([]);
    expect((await outboxOf(store, paused.id)).map((r) => [r.status, r.attempts])).toEqual([['pending', 0]]);

    await store.db.updateTable('webhooks').set({ disabled_at: null, failing_since: null }).where('id', '=', paused.id).execute();
    await healthy.waitFor(() => ofPaused().length >= 1);
    expect(ofPaused()[0]!.raw).toBe(body);
    await until(() => outboxOf(store, paused.id), (rows) => rows[0]?.status === 'delivered');
  });
});
