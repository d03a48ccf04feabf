import type { MessageNewEvent } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatApp, createChannel, send } from './helpers/chat.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { insertWebhook, outboxOf } from './helpers/webhooks.js';

/** The text of the message a request carries (undefined for other events). */
const textOf = (r: ReceivedWebhook) => (r.body.type === 'message.new' ? (r.body.data as MessageNewEvent).message.text : undefined);
const channelOf = (r: ReceivedWebhook) => (r.body.data as { channelId?: string }).channelId;

/** A retry schedule shrunk from seconds to tens of milliseconds, without jitter, and a window no test reaches. */
const schedule = { delaysMs: [60, 120, 240], windowMs: 600_000, jitter: 0 };

describe.each(storeKinds)('webhook retries and order (%s)', (kind) => {
  let t: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestServer(kind, { outbound: { allowHosts: [receiver.hostPort] }, webhooks: { pollMs: 30, schedule } });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('retries a delivery the receiver failed 3 times, holds back only that channel behind it, and keeps each channel in order', async () => {
    const chat = await chatApp(t, ['alice', 'bob']);
    const hook = await insertWebhook(t.server.context.store, chat.appId, receiver.url, { events: ['message.new'] });
    const alice = { token: chat.users.alice!.token };
    await createChannel(t, alice, { type: 'messaging', id: 'stuck', members: ['bob'] });
    await createChannel(t, alice, { type: 'messaging', id: 'free', members: ['bob'] });
    receiver.failNext(3, 503, (r) => textOf(r) === 'stuck 1');

    await send(t, alice, 'stuck', { text: 'stuck 1' });
    // Sent one by one, so that each channel's order is the order of the answers here.
    for (let i = 2; i <= 4; i += 1) await send(t, alice, 'stuck', { text: `stuck ${i}` });
    for (let i = 1; i <= 3; i += 1) await send(t, alice, 'free', { text: `free ${i}` });

    const mine = () => receiver.received.filter((r) => channelOf(r) === 'stuck' || channelOf(r) === 'free');
    await receiver.waitFor(() => mine().filter((r) => r.status === 204).length >= 7);

    const first = mine().filter((r) => textOf(r) === 'stuck 1');
    expect(first.map((r) => r.status)).toEqual([503, 503, 503, 204]);
    expect(new Set(first.map((r) => r.id)).size).toBe(1);
    const success = first[3]!;
    // The channel behind the failing delivery waited for it, and then came in order, each once.
    const stuck = mine().filter((r) => channelOf(r) === 'stuck' && r.status === 204);
    expect(stuck.map(textOf)).toEqual(['stuck 1', 'stuck 2', 'stuck 3', 'stuck 4']);
    for (const later of stuck.slice(1)) expect(later.at).toBeGreaterThanOrEqual(success.at);
    expect(mine().filter((r) => channelOf(r) === 'stuck' && textOf(r) !== 'stuck 1').every((r) => r.status === 204)).toBe(true);
    // The other channel did not wait: all of it arrived while the first delivery was still being retried.
    const free = mine().filter((r) => channelOf(r) === 'free');
    expect(free.map(textOf)).toEqual(['free 1', 'free 2', 'free 3']);
    for (const r of free) expect(r.at).toBeLessThan(success.at);

    const row = (await outboxOf(t.server.context.store, hook.id)).find((r) => r.event_id === success.id)!;
    expect(row).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 204, last_error: null });
  });

  it('records each failed attempt (status, error, next try) while it waits to retry', async () => {
    const chat = await chatApp(t, ['carol']);
    const store = t.server.context.store;
    const hook = await insertWebhook(store, chat.appId, `${receiver.url}?log`, { events: ['message.new'] });
    await createChannel(t, { token: chat.users.carol!.token }, { type: 'messaging', id: 'logged' });
    receiver.failNext(1, 500, (r) => channelOf(r) === 'logged');
    const sentAt = Date.now();
    await send(t, { token: chat.users.carol!.token }, 'logged', { text: 'log me' });

    let failedRow: Awaited<ReturnType<typeof outboxOf>>[number] | undefined;
    const deadline = Date.now() + 10_000;
    while (!failedRow && Date.now() < deadline) {
      failedRow = (await outboxOf(store, hook.id)).find((r) => r.attempts >= 1);
      if (!failedRow) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(failedRow).toBeDefined();
    if (failedRow!.status === 'pending') {
      expect(failedRow).toMatchObject({ attempts: 1, last_status_code: 500, lease_until: null });
      expect(failedRow!.last_error).toContain('500');
      expect(failedRow!.next_attempt_at).toBeGreaterThan(sentAt);
      expect(failedRow!.last_duration_ms).toBeGreaterThanOrEqual(0);
    }
    await receiver.waitFor((rs) => rs.some((r) => channelOf(r) === 'logged' && r.status === 204));
    // The success is recorded with the worker's next look, and ends the endpoint's run of failures.
    while ((await outboxOf(store, hook.id))[0]?.status !== 'delivered' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const failing = await store.db.selectFrom('webhooks').select('failing_since').where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(failing.failing_since).toBeNull();
  });

  it('sends at most 4 deliveries at once to one endpoint, and does send 4 at once', async () => {
    const slow = await startWebhookReceiver();
    // A store of its own: one worker looks at it.
    const server = await startTestServer(kind, { outbound: { allowHosts: [slow.hostPort] }, webhooks: { pollMs: 30, schedule, perTarget: 4 } });
    try {
      const chat = await chatApp(server, ['dan']);
      await insertWebhook(server.server.context.store, chat.appId, slow.url, { events: ['message.new'] });
      slow.delay(250);
      const dan = { token: chat.users.dan!.token };
      for (let i = 0; i < 10; i += 1) await createChannel(server, dan, { type: 'messaging', id: `wide-${i}` });
      await Promise.all(Array.from({ length: 10 }, (_, i) => send(server, dan, `wide-${i}`, { text: `wide ${i}` })));
      await slow.waitFor((rs) => rs.filter((r) => r.status === 204).length >= 10);
      expect(slow.maxConcurrent()).toBe(4);
    } finally {
      await server.close();
      await slow.close();
    }
  });
});
