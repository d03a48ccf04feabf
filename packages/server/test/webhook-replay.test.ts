import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveriesPage, ReplayResponse, Webhook, WebhookWithSecret } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { insertOutboxRows, outboxRowsOf } from './helpers/webhook-outbox.js';

const MINUTE = 60_000;

describe.each(storeKinds)('webhook replay and delete on %s', (kind) => {
  let t: TestServer;
  let receiver: Server;
  let url: string;
  let apiKey: string;
  let appId: string;

  /** What the receiver got, in arrival order, by path. */
  const received: Array<{ path: string; id: string; body: string }> = [];

  beforeAll(async () => {
    // A receiver that takes everything: what the delivery worker sends lands here and the rows go delivered.
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '', id: String(request.headers['webhook-id']), body: Buffer.concat(chunks).toString() });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    url = `http://127.0.0.1:${port}/hook`;
    t = await startTestServer(kind, { outbound: { allowListedOnly: true, allowHosts: [`127.0.0.1:${port}`] } });
    ({ apiKey, app: { id: appId } } = await t.createApp('Replay'));
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const createWebhook = async (key = apiKey) => {
    const made = await call<{ webhook: WebhookWithSecret }>(t.baseUrl, '/api/app/webhooks', { apiKey: key, body: { url } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    return made.body.webhook.id;
  };
  /** Waits until the receiver holds `count` requests on `path`, and answers them. */
  async function receivedOn(path: string, count: number): Promise<Array<{ id: string; body: string }>> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const got = received.filter((r) => r.path === path);
      if (got.length >= count) return got;
      if (Date.now() > deadline) throw new Error(`the receiver has ${got.length} of ${count} deliveries on ${path}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const replay = (id: string, since: number | string, key = apiKey) =>
    call<ReplayResponse>(t.baseUrl, `/api/app/webhooks/${id}/replay`, { apiKey: key, body: { since: typeof since === 'number' ? new Date(since).toISOString() : since } });

  it('queues every event since the time again, in the original order, with its payload and webhook-id, once each', async () => {
    const { store } = t.server.context;
    const id = await createWebhook();
    const otherId = await createWebhook();
    const t0 = Date.now() - 30 * MINUTE;
    const since = t0 + 5 * MINUTE;
    await insertOutboxRows(store, [
      { appId, webhookId: id, eventId: 'evt_old1', lane: 'c1', status: 'delivered', createdAt: t0 },
      { appId, webhookId: id, eventId: 'evt_old2', lane: 'c2', status: 'delivered', createdAt: t0 + MINUTE },
      { appId, webhookId: id, eventId: 'evt_n1', lane: 'c1', status: 'delivered', createdAt: since + MINUTE },
      { appId, webhookId: otherId, eventId: 'evt_n1', lane: 'c1', status: 'delivered', createdAt: since + MINUTE },
      { appId, webhookId: id, eventId: 'evt_n2', lane: 'c2', type: 'reaction.new', status: 'failed', createdAt: since + 2 * MINUTE },
      { appId, webhookId: id, eventId: 'evt_n3', lane: 'user:u1', type: 'user.updated', status: 'pending', createdAt: since + 3 * MINUTE },
      { appId, webhookId: id, eventId: 'evt_gone', type: 'webhook.disabled', lane: `webhook:${id}`, status: 'failed', createdAt: since + 4 * MINUTE },
      { appId, webhookId: id, eventId: 'evt_n4', lane: 'c1', type: 'message.updated', status: 'delivered', createdAt: since + 5 * MINUTE },
    ]);
    const before = await outboxRowsOf(store, appId, id);
    const otherBefore = await outboxRowsOf(store, appId, otherId);
    const lastSeq = Math.max(...before.map((row) => row.seq));

    const startedAt = Date.now();
    const replayed = await replay(id, since);
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(200);
    expect(replayed.body).toEqual({ replayed: 4, reenabled: false });

    const after = await outboxRowsOf(store, appId, id);
    const copies = after.filter((row) => row.seq > lastSeq);
    // Every original is still there as it was: a replay adds, it never rewrites the log.
    expect(after.filter((row) => row.seq <= lastSeq)).toEqual(before);
    expect(copies.map((row) => row.event_id)).toEqual(['evt_n1', 'evt_n2', 'evt_n3', 'evt_n4']);
    for (const copy of copies) {
      const original = before.find((row) => row.event_id === copy.event_id);
      expect({ lane: copy.lane, type: copy.type, payload: copy.payload, target_kind: copy.target_kind }).toEqual({
        lane: original?.lane,
        type: original?.type,
        payload: original?.payload,
        target_kind: 'webhook',
      });
      expect(copy.created_at).toBeGreaterThanOrEqual(startedAt);
      // Queued now (a worker may already have sent it to the receiver, which takes everything).
      expect(['pending', 'delivered']).toContain(copy.status);
      if (copy.status === 'pending') expect(copy.attempts).toBe(0);
    }
    // The other webhook's rows, though they carry the same event, are untouched.
    expect(await outboxRowsOf(store, appId, otherId)).toEqual(otherBefore);

    // The same window again: the same four events, not the copies as well.
    expect((await replay(id, since)).body).toEqual({ replayed: 4, reenabled: false });
    // A window reaching the first events: each of the six once, however many rows it has by now.
    expect((await replay(id, t0 - MINUTE)).body.replayed).toBe(6);
    // Back to the later window: the old events' fresh copies are not events of that window.
    const lastReplay = Math.max(...(await outboxRowsOf(store, appId, id)).map((row) => row.seq));
    expect((await replay(id, since)).body.replayed).toBe(4);
    const latest = (await outboxRowsOf(store, appId, id)).filter((row) => row.seq > lastReplay);
    expect(latest.map((row) => row.event_id)).toEqual(['evt_n1', 'evt_n2', 'evt_n3', 'evt_n4']);
    // Nothing happened after now.
    expect((await replay(id, Date.now() + MINUTE)).body.replayed).toBe(0);
  });

  it('a replay of real deliveries reaches the receiver again: same webhook-ids, same bodies, same order, shown in the log', async () => {
    const path = `/hook/replayed-${kind}`;
    const made = await call<{ webhook: WebhookWithSecret }>(t.baseUrl, '/api/app/webhooks', { apiKey, body: { url: url.replace('/hook', path), events: ['message.new'] } });
    expect(made.status).toBe(201);
    const id = made.body.webhook.id;
    const since = Date.now() - 1000;
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: 'replayer' });
    expect((await call(t.baseUrl, '/api/channels', { token, body: { type: 'messaging', id: `replayed-${kind}` } })).status).toBe(201);
    for (const text of ['one', 'two', 'three']) expect((await call(t.baseUrl, `/api/channels/replayed-${kind}/messages`, { token, body: { text } })).status).toBe(201);
    const first = await receivedOn(path, 3);
    expect(first.map((r) => (JSON.parse(r.body) as { data: { message: { text: string } } }).data.message.text)).toEqual(['one', 'two', 'three']);

    expect((await replay(id, since)).body).toEqual({ replayed: 3, reenabled: false });
    const all = await receivedOn(path, 6);
    expect(all.slice(3)).toEqual(first);

    // The log: each event twice (the original, then its replay), newest first, every one delivered once.
    // The worker records an outcome after the receiver answered: the log catches up a moment later.
    const ids = first.map((r) => r.id);
    let log = await call<DeliveriesPage>(t.baseUrl, `/api/app/webhooks/${id}/deliveries`, { apiKey });
    for (let tries = 0; tries < 100 && log.body.deliveries.some((d) => d.status !== 'delivered'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      log = await call<DeliveriesPage>(t.baseUrl, `/api/app/webhooks/${id}/deliveries`, { apiKey });
    }
    expect(log.body.deliveries.map((d) => d.id)).toEqual([...ids].reverse().concat([...ids].reverse()));
    for (const d of log.body.deliveries) expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204, nextAttemptAt: null });
  });

  it('enables a disabled or paused webhook, and says so', async () => {
    const id = await createWebhook();
    await insertOutboxRows(t.server.context.store, [{ appId, webhookId: id, eventId: 'evt_a', status: 'failed', createdAt: Date.now() - MINUTE }]);
    // As the worker leaves it after 24 h of failures.
    await t.server.context.store.db.updateTable('webhooks').set({ disabled_at: Date.now(), failing_since: Date.now() - 86_400_000 }).where('id', '=', id).execute();
    expect((await call<{ webhook: Webhook }>(t.baseUrl, `/api/app/webhooks/${id}`, { apiKey })).body.webhook.disabledAt).not.toBeNull();

    expect((await replay(id, Date.now() - 2 * MINUTE)).body).toEqual({ replayed: 1, reenabled: true });
    expect((await call<{ webhook: Webhook }>(t.baseUrl, `/api/app/webhooks/${id}`, { apiKey })).body.webhook.disabledAt).toBeNull();
    const row = await t.server.context.store.db.selectFrom('webhooks').select(['disabled_at', 'failing_since']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ disabled_at: null, failing_since: null });

    // Paused by the app: a replay enables it too, even with nothing to send.
    await call(t.baseUrl, `/api/app/webhooks/${id}`, { apiKey, method: 'PATCH', body: { disabled: true } });
    expect((await replay(id, Date.now() + MINUTE)).body).toEqual({ replayed: 0, reenabled: true });
  });

  it('refuses a since that is not a time, and a replay of a webhook the app does not have', async () => {
    const id = await createWebhook();
    for (const since of ['yesterday', '2026-13-01T00:00:00Z', '', '1700000000000']) expectError(await replay(id, since), 'validation_failed', 400);
    expectError(await call(t.baseUrl, `/api/app/webhooks/${id}/replay`, { apiKey, body: {} }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, `/api/app/webhooks/${id}/replay`, { apiKey, body: { since: new Date().toISOString(), until: new Date().toISOString() } }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, `/api/app/webhooks/${id}/replay`, { apiKey, method: 'POST' }), 'validation_failed', 400);
    expectError(await replay('wh_nope', Date.now()), 'webhook_not_found', 404);
    const other = await t.createApp('Other');
    await insertOutboxRows(t.server.context.store, [{ appId, webhookId: id, eventId: 'evt_mine', status: 'delivered', createdAt: Date.now() - MINUTE }]);
    expectError(await replay(id, 0, other.apiKey), 'webhook_not_found', 404);
    expect((await outboxRowsOf(t.server.context.store, appId, id)).map((row) => row.event_id)).toEqual(['evt_mine']);
  });

  it('deleting a webhook removes it and its pending rows (and its log), and leaves other webhooks alone', async () => {
    const { store } = t.server.context;
    const id = await createWebhook();
    const keep = await createWebhook();
    const now = Date.now();
    await insertOutboxRows(store, [
      { appId, webhookId: id, eventId: 'evt_p1', status: 'pending', createdAt: now - 3000 },
      { appId, webhookId: id, eventId: 'evt_p2', status: 'pending', createdAt: now - 2000 },
      { appId, webhookId: id, eventId: 'evt_d1', status: 'delivered', createdAt: now - 1000 },
      { appId, webhookId: keep, eventId: 'evt_p1', status: 'pending', createdAt: now - 3000 },
    ]);
    const deleted = await call<{ webhook: Webhook }>(t.baseUrl, `/api/app/webhooks/${id}`, { apiKey, method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(deleted.body.webhook).toMatchObject({ id, url });
    expect(JSON.stringify(deleted.body)).not.toContain('whsec_');
    expect(await outboxRowsOf(store, appId, id)).toEqual([]);
    expect((await outboxRowsOf(store, appId, keep)).map((row) => [row.event_id, row.status])).toEqual([['evt_p1', 'pending']]);
    expectError(await call(t.baseUrl, `/api/app/webhooks/${id}`, { apiKey }), 'webhook_not_found', 404);
    expectError(await call(t.baseUrl, `/api/app/webhooks/${id}/deliveries`, { apiKey }), 'webhook_not_found', 404);
    expectError(await call(t.baseUrl, `/api/app/webhooks/${id}`, { apiKey, method: 'DELETE' }), 'webhook_not_found', 404);
    expect((await call<{ webhooks: Webhook[] }>(t.baseUrl, '/api/app/webhooks', { apiKey })).body.webhooks.map((w) => w.id)).toContain(keep);
  });
});
