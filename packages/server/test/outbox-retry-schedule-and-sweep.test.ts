import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, enqueue, OUTBOX_RETENTION_MS, retryDelay, scaledSchedule, scheduleSpent, sweepOutbox } from '../src/outbox/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe('the retry schedule', () => {
  it('waits about 5 s, 30 s, 2 min, 5 min, 15 min, 30 min, 1 h, then hourly, each within ±20 %', () => {
    const expected = [5_000, 30_000, 120_000, 300_000, 900_000, 1_800_000, 3_600_000, 3_600_000, 3_600_000];
    expected.forEach((base, i) => {
      expect(retryDelay(DEFAULT_RETRY_SCHEDULE, i + 1, () => 0)).toBe(base * 0.8);
      expect(retryDelay(DEFAULT_RETRY_SCHEDULE, i + 1, () => 1)).toBe(base * 1.2);
      expect(retryDelay(DEFAULT_RETRY_SCHEDULE, i + 1, () => 0.5)).toBe(base);
    });
  });

  it('gives a delivery up at the failure that takes it past 24 h of waits (the 30th), scaled or not', () => {
    expect(scheduleSpent(DEFAULT_RETRY_SCHEDULE, 29)).toBe(false);
    expect(scheduleSpent(DEFAULT_RETRY_SCHEDULE, 30)).toBe(true);
    const fast = scaledSchedule(0.001);
    expect(fast.delaysMs[0]).toBe(5);
    expect(fast.windowMs).toBe(86_400);
    expect(scheduleSpent(fast, 29)).toBe(false);
    expect(scheduleSpent(fast, 30)).toBe(true);
  });
});

describe.each(storeKinds)('the outbox sweep (%s)', (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(kind);
  });
  afterAll(async () => t?.close());

  it('removes finished deliveries older than 7 days and keeps newer ones and every pending one', async () => {
    const { app } = await t.createApp('Sweep');
    const { db } = t.server.context.store;
    const now = Date.now();
    const old = now - OUTBOX_RETENTION_MS - 60_000;
    // A kind no worker sends, so the rows stay as the test sets them.
    const entry = (lane: string) => ({ appId: app.id, eventId: `evt_${lane}`, targetKind: 'sweep-test', targetId: 'wh_sweep', lane, type: 'message.new', payload: '{}' });
    await enqueue(db, [entry('old-delivered'), entry('old-failed'), entry('old-pending')], old);
    await enqueue(db, [entry('new-delivered')], now);
    await db.updateTable('outbox').set({ status: 'delivered' }).where('lane', 'in', ['old-delivered', 'new-delivered']).execute();
    await db.updateTable('outbox').set({ status: 'failed' }).where('lane', '=', 'old-failed').execute();

    expect(await sweepOutbox(db, now)).toBe(2);
    const left = await db.selectFrom('outbox').select('lane').where('target_id', '=', 'wh_sweep').orderBy('lane').execute();
    expect(left.map((r) => r.lane)).toEqual(['new-delivered', 'old-pending']);
  });

  it('walks past the first thousand old rows to the rest, and stops at the new ones', async () => {
    const { app } = await t.createApp('Sweep many');
    const { db } = t.server.context.store;
    const now = Date.now();
    const entry = (i: number) => ({ appId: app.id, eventId: `evt_${i}`, targetKind: 'sweep-many', targetId: 'wh_many', lane: 'l', type: 'message.new', payload: '{}' });
    await enqueue(db, Array.from({ length: 2100 }, (_, i) => entry(i)), now - OUTBOX_RETENTION_MS - 1);
    await enqueue(db, Array.from({ length: 5 }, (_, i) => entry(10_000 + i)), now);
    await db.updateTable('outbox').set({ status: 'delivered' }).where('target_id', '=', 'wh_many').execute();
    expect(await sweepOutbox(db, now)).toBe(2100);
    expect(await db.selectFrom('outbox').select('seq').where('target_id', '=', 'wh_many').execute()).toHaveLength(5);
  });
});
