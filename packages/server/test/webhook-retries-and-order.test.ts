import type { MessageNewEvent } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chatApp, createChannel, send } from './helpers/chat.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { insertWebhook, outboxOf } from './helpers/webhooks.js';

/** The text of the message a request carries (undefined for other events). */
const textOf = (r: ReceivedWebhook) => (r.body.type === 'message.new' ? (r.body.data as MessageNewEvent).message.text : undefined);
const channelOf = (r: ReceivedWebhook) => (r.body.data as { channelId?: string }).channelId;

/** A retry schedule shrunk from seconds to a fraction of one, without jitter, and a window no test reaches. */
// Long enough (2.1 s for 3 retries) for the other sends of the test to be answered and delivered meanwhile on a busy machine.
const schedule = { delaysMs: [300, 600, 1200], windowMs: 600_000, jitter: 0 };

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
    // A second endpoint of the app gets the same events; only the first one's delivery of 'stuck 1' fails.
    await insertWebhook(t.server.context.store, chat.appId, `${receiver.url}?other`, { events: ['message.new'] });
    receiver.failNext(3, 503, (r) => textOf(r) === 'stuck 1' && !r.path.includes('other'));

    await send(t, alice, 'stuck', { text: 'stuck 1' });
    // Sent one by one, so that each channel's order is the order of the answers here.
    for (let i = 2; i <= 4; i += 1) await send(t, alice, 'stuck', { text: `stuck ${i}` });
    for (let i = 1; i <= 3; i += 1) await send(t, alice, 'free', { text: `free ${i}` });

    const both = () => receiver.received.filter((r) => channelOf(r) === 'stuck' || channelOf(r) === 'free');
    const mine = () => both().filter((r) => !r.path.includes('other'));
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
    // Nor did the other endpoint's copy of the same channel: its lane is its own.
    const other = both().filter((r) => r.path.includes('other') && channelOf(r) === 'stuck');
    expect(other.map((r) => [textOf(r), r.status])).toEqual([1, 2, 3, 4].map((i) => [`stuck ${i}`, 204]));
    for (const r of other) expect(r.at).toBeLessThan(success.at);

    // Outcomes are recorded in batches (with the next claim, or the next poll): the log may trail the receiver by one.
    await vi.waitFor(async () => {
      const row = (await outboxOf(t.server.context.store, hook.id)).find((r) => r.event_id === success.id)!;
      expect(row).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 204, last_error: null });
    }, { timeout: 5000, interval: 20 });
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

  it('gives up on an attempt the endpoint does not answer within the time cap, records the timeout, and retries', async () => {
    const hanging = await startWebhookReceiver();
    const server = await startTestServer(kind, { outbound: { allowHosts: [hanging.hostPort] }, webhooks: { pollMs: 30, schedule, timeoutMs: 200 } });
    try {
      const chat = await chatApp(server, ['eve']);
      const store = server.server.context.store;
      const hook = await insertWebhook(store, chat.appId, hanging.url, { events: ['message.new'] });
      hanging.delay(1500);
      await createChannel(server, { token: chat.users.eve!.token }, { type: 'messaging', id: 'slow' });
      await send(server, { token: chat.users.eve!.token }, 'slow', { text: 'are you there' });
      const deadline = Date.now() + 10_000;
      let row = (await outboxOf(store, hook.id))[0];
      while ((row?.attempts ?? 0) < 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        row = (await outboxOf(store, hook.id))[0];
      }
      expect(row!.last_error).toMatch(/^timeout: no complete answer within 200 ms/);
      expect(row!.last_status_code).toBeNull();
      expect(row!.last_duration_ms).toBeGreaterThanOrEqual(190);
      expect(row!.last_duration_ms).toBeLessThan(1500);
      hanging.delay(0);
      while ((await outboxOf(store, hook.id))[0]?.status !== 'delivered' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await outboxOf(store, hook.id))[0]!.status).toBe('delivered');
    } finally {
      await server.close();
      await hanging.close();
    }
  });
});
