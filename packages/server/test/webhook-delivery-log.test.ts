import type { DeliveriesPage, WebhookDelivery, WebhookWithSecret } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { insertOutboxRows } from './helpers/webhook-outbox.js';

const STATUSES = ['delivered', 'pending', 'failed'] as const;

describe.each(storeKinds)('a webhook delivery log on %s', (kind) => {
  let t: TestServer;
  let apiKey: string;
  let appId: string;
  let webhookId: string;
  /** The event ids of the webhook's rows, newest first: what the log must show. */
  let newestFirst: string[];
  const statusOf = new Map<string, string>();

  beforeAll(async () => {
    // Public address literals need no DNS; the test guard refuses to reach them (only allowlisted hosts), so nothing leaves the machine.
    t = await startTestServer(kind);
    ({ apiKey, app: { id: appId } } = await t.createApp('Log'));
    const made = await call<{ webhook: WebhookWithSecret }>(t.baseUrl, '/api/app/webhooks', { apiKey, body: { url: 'https://93.184.216.34/log' } });
    expect(made.status).toBe(201);
    webhookId = made.body.webhook.id;
    const other = await call<{ webhook: WebhookWithSecret }>(t.baseUrl, '/api/app/webhooks', { apiKey, body: { url: 'https://93.184.216.35/log' } });

    const { store } = t.server.context;
    const start = Date.now() - 60_000;
    const mine = Array.from({ length: 12 }, (_, i) => ({ appId, webhookId, eventId: `evt_${String(i).padStart(2, '0')}`, status: STATUSES[i % 3], createdAt: start + i * 1000, lane: `ch${i % 2}` }));
    // The worker's record of giving up on the endpoint, written last, as it would be.
    const disabled = { appId, webhookId, eventId: 'evt_disabled', type: 'webhook.disabled', lane: `webhook:${webhookId}`, status: 'failed' as const, createdAt: start + 20_000 };
    // Rows the log must not show: another webhook's, and push's row that happens to carry the same target id.
    const noise = [
      { appId, webhookId: other.body.webhook.id, eventId: 'evt_other', createdAt: start + 500 },
      { appId, webhookId, eventId: 'evt_push', targetKind: 'push', createdAt: start + 600 },
    ];
    await insertOutboxRows(store, [...mine.slice(0, 6), ...noise, ...mine.slice(6), disabled]);
    for (const row of [...mine, disabled]) statusOf.set(row.eventId, row.status ?? 'pending');
    newestFirst = [...mine, disabled].map((row) => row.eventId).reverse();
  });
  afterAll(() => t.close());

  const page = (query: string, key = apiKey) => call<DeliveriesPage>(t.baseUrl, `/api/app/webhooks/${webhookId}/deliveries${query}`, { apiKey: key });

  /** Follows `next` to the end, asserting each page's size. */
  async function readAll(query: string, limit: number): Promise<WebhookDelivery[]> {
    const seen: WebhookDelivery[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const reply: Awaited<ReturnType<typeof page>> = await page(`?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.deliveries.length).toBeLessThanOrEqual(limit);
      seen.push(...reply.body.deliveries);
      cursor = reply.body.next;
      if (cursor === null) return seen;
      expect(reply.body.deliveries).toHaveLength(limit);
    }
    throw new Error('the log never ended');
  }

  it('lists newest first and pages through every row once by cursor, the webhook.disabled record included', async () => {
    const all = await readAll('', 5);
    expect(all.map((d) => d.id)).toEqual(newestFirst);
    expect(all[0]).toMatchObject({ id: 'evt_disabled', type: 'webhook.disabled', status: 'failed' });
    // One page holds them all by default (25).
    const whole = await page('');
    expect(whole.body.deliveries.map((d) => d.id)).toEqual(newestFirst);
    expect(whole.body.next).toBeNull();
  });

  it('filters by status, across pages', async () => {
    for (const status of STATUSES) {
      const rows = await readAll(`&status=${status}`, 2);
      expect(rows.map((d) => d.id)).toEqual(newestFirst.filter((id) => statusOf.get(id) === status));
      expect(rows.every((d) => d.status === status)).toBe(true);
    }
  });

  it('shows attempts, status codes, errors, durations, and a next retry only while pending', async () => {
    const all = (await page('')).body.deliveries;
    const delivered = all.find((d) => d.id === 'evt_00');
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, lastDurationMs: 12, nextAttemptAt: null });
    expect(Date.parse(delivered?.deliveredAt ?? '')).toBe(Date.parse(delivered?.createdAt ?? '') + 5);
    const pending = all.find((d) => d.id === 'evt_01');
    expect(pending).toMatchObject({ status: 'pending', attempts: 0, lastStatusCode: null, deliveredAt: null });
    expect(Date.parse(pending?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now());
    expect(all.find((d) => d.id === 'evt_02')).toMatchObject({ status: 'failed', lastStatusCode: 500, lastError: 'HTTP 500', nextAttemptAt: null });
  });

  it('answers a bad cursor, limit or status with validation_failed, and an empty log with no rows', async () => {
    for (const query of ['?cursor=abc', `?cursor=${Buffer.from('0').toString('base64url')}`, `?cursor=${Buffer.from('x.1').toString('base64url')}`, '?limit=0', '?limit=101', '?limit=ten', '?status=lost', '?since=2020-01-01T00:00:00Z']) {
      expectError(await page(query), 'validation_failed', 400);
    }
    const empty = await call<{ webhook: WebhookWithSecret }>(t.baseUrl, '/api/app/webhooks', { apiKey, body: { url: 'https://93.184.216.36/log' } });
    const log = await call<DeliveriesPage>(t.baseUrl, `/api/app/webhooks/${empty.body.webhook.id}/deliveries`, { apiKey });
    expect(log.body).toEqual({ deliveries: [], next: null });
    expectError(await call(t.baseUrl, '/api/app/webhooks/wh_nope/deliveries', { apiKey }), 'webhook_not_found', 404);
  });

  it("shows another app nothing of this log, not even through this log's cursors", async () => {
    const other = await t.createApp('Other');
    const first = await page('?limit=2');
    expectError(await page(`?cursor=${encodeURIComponent(first.body.next ?? '')}`, other.apiKey), 'webhook_not_found', 404);
    expectError(await page('', other.apiKey), 'webhook_not_found', 404);
  });
});
