import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDue, enqueue, markDelivered, type ClaimedDelivery } from '../src/outbox/index.js';
import type { Store } from '../src/store/store.js';
import { openStoreWithApp } from './helpers/store-with-app.js';
import { storeKinds } from './helpers/stores.js';

/** A kind no server worker sends: the rows stay as each test leaves them. */
const KIND = 'claim-test';
const LEASE = { leaseMs: 30_000 };

describe.each(storeKinds)('outbox claims (%s)', (kind) => {
  let store: Store;
  let appId: string;
  let openAnother: () => Store;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ store, appId, openAnother, close } = await openStoreWithApp(kind, 'Claims'));
  });
  afterAll(() => close?.());

  const rows = (targetId: string, lanes: string[]) =>
    enqueue(store.db, lanes.map((lane, i) => ({ appId, eventId: `evt_${targetId}_${i}`, targetKind: KIND, targetId, lane, type: 'message.new', payload: `{"n":${i}}` })));
  const lanesOf = (claimed: ClaimedDelivery[]) => claimed.map((c) => `${c.targetId}/${c.lane}/${c.payload}`);

  it('takes only the head of each lane, holds the rest behind it, and takes the next once the head is done', async () => {
    await rows('t1', ['a', 'a', 'b', 'a', 'b']);
    await rows('t2', ['a']);
    const first = await claimDue(store.db, store.kind, KIND, { capacity: 10, perTarget: 4, ...LEASE });
    expect(lanesOf(first).sort()).toEqual(['t1/a/{"n":0}', 't1/b/{"n":2}', 't2/a/{"n":0}']);
    // Leased: nobody takes them again, and what is behind them waits.
    expect(await claimDue(store.db, store.kind, KIND, { capacity: 10, perTarget: 4, ...LEASE })).toEqual([]);
    const a0 = first.find((c) => c.targetId === 't1' && c.lane === 'a')!;
    await markDelivered(store.db, a0, { statusCode: 204, error: null, durationMs: 1 });
    expect(lanesOf(await claimDue(store.db, store.kind, KIND, { capacity: 10, perTarget: 4, ...LEASE }))).toEqual(['t1/a/{"n":1}']);
    // A lease that ran out (its worker died) is taken again, by the same row: never the one behind it.
    const later = Date.now() + LEASE.leaseMs + 1;
    const again = await claimDue(store.db, store.kind, KIND, { capacity: 10, perTarget: 4, ...LEASE }, later);
    expect(lanesOf(again).sort()).toEqual(['t1/a/{"n":1}', 't1/b/{"n":2}', 't2/a/{"n":0}']);
    // A completion under the old lease is not the new holder's: it changes nothing.
    const stale = first.find((c) => c.targetId === 't1' && c.lane === 'b')!;
    await markDelivered(store.db, stale, { statusCode: 204, error: null, durationMs: 1 });
    const b = await store.db.selectFrom('outbox').select(['status']).where('seq', '=', stale.seq).executeTakeFirstOrThrow();
    expect(b.status).toBe('pending');
  });

  it('leases at most perTarget rows of one target at once, counting the ones already leased', async () => {
    await rows('t3', ['l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
    const first = await claimDue(store.db, store.kind, KIND, { capacity: 3, perTarget: 4, ...LEASE });
    expect(first.filter((c) => c.targetId === 't3')).toHaveLength(3);
    const second = await claimDue(store.db, store.kind, KIND, { capacity: 10, perTarget: 4, ...LEASE });
    expect(second.filter((c) => c.targetId === 't3')).toHaveLength(1);
    expect(await claimDue(store.db, store.kind, KIND, { capacity: 10, perTarget: 4, ...LEASE })).toEqual([]);
  });

  it('does not let a target with many due lanes hide the rows of the targets behind it', async () => {
    await rows('t6', Array.from({ length: 40 }, (_, i) => `wide-${i}`));
    await rows('t7', ['only']);
    const claimed = await claimDue(store.db, store.kind, KIND, { capacity: 8, perTarget: 4, ...LEASE });
    expect(claimed.filter((c) => c.targetId === 't6')).toHaveLength(4);
    expect(lanesOf(claimed.filter((c) => c.targetId === 't7'))).toEqual(['t7/only/{"n":0}']);
  });

  it.runIf(kind === 'postgres')('never gives one row, or more than perTarget of a target, to claims racing from separate pools', async () => {
    const lanes = Array.from({ length: 40 }, (_, i) => `race-${i}`);
    await rows('t4', lanes);
    await rows('t5', lanes);
    const pools = [openAnother(), openAnother(), openAnother()];
    try {
      const claims = await Promise.all(
        Array.from({ length: 24 }, (_, i) => claimDue(pools[i % pools.length]!.db, 'postgres', KIND, { capacity: 8, perTarget: 6, ...LEASE })),
      );
      const all = claims.flat().filter((c) => c.targetId === 't4' || c.targetId === 't5');
      expect(new Set(all.map((c) => c.seq)).size).toBe(all.length);
      expect(all.filter((c) => c.targetId === 't4')).toHaveLength(6);
      expect(all.filter((c) => c.targetId === 't5')).toHaveLength(6);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });
});
