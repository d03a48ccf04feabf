import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ClaimedDelivery,
  claimDue,
  claimRunsIn,
  enqueue,
  type OutboxSender,
  type SendOutcome,
  startOutboxWorker,
} from '../src/outbox/index.js';
import type { Store } from '../src/store/store.js';
import { openStoreWithApp } from './helpers/store-with-app.js';
import { storeKinds } from './helpers/stores.js';

/** Kinds no server worker sends: each test's rows stay its own. */
const CLAIM_KIND = 'run-claim-test';
const LIMITS = { capacity: 10, perTarget: 4, leaseMs: 30_000 };

const delivered: SendOutcome = { kind: 'delivered', result: { statusCode: 204, error: null, durationMs: 1 } };
const failed: SendOutcome = { kind: 'failed', result: { statusCode: 503, error: 'the endpoint answered 503', durationMs: 1 } };

/** A sender that answers with `answer(delivery)` after `delayMs`, and remembers what it was given and when. */
function recordingSender(answer: (d: ClaimedDelivery) => SendOutcome, delayMs = 0) {
  const sent: Array<{ delivery: ClaimedDelivery; at: number }> = [];
  let inFlight = 0;
  let most = 0;
  const sender: OutboxSender = {
    async send(delivery) {
      sent.push({ delivery, at: Date.now() });
      inFlight += 1;
      most = Math.max(most, inFlight);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight -= 1;
      return answer(delivery);
    },
  };
  return { sender, sent, mostInFlight: () => most };
}

describe.each(storeKinds)('outbox runs: a lane head with the rows behind it (%s)', (kind) => {
  let store: Store;
  let appId: string;
  let openAnother: () => Store;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ store, appId, openAnother, close } = await openStoreWithApp(kind, 'Runs'));
  });
  afterAll(() => close?.());

  const rows = (targetKind: string, targetId: string, lanes: string[]) =>
    enqueue(store.db, lanes.map((lane, i) => ({ appId, eventId: `evt_${targetId}_${i}`, targetKind, targetId, lane, type: 'message.new', payload: `${lane}#${i}` })));
  const claimRuns = (limits: Parameters<typeof claimRunsIn>[3], now = Date.now()) =>
    store.db.transaction().execute((trx) => claimRunsIn(trx, store.kind, CLAIM_KIND, limits, now));
  const outbox = (targetId: string) =>
    store.db.selectFrom('outbox').select(['seq', 'status', 'attempts', 'lease_until', 'payload']).where('target_id', '=', targetId).orderBy('seq').execute();

  it('leases a lane head with the rows right behind it, in order, and counts the run as one lane in flight', async () => {
    await rows(CLAIM_KIND, 'r1', ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'c', 'd']);
    const runs = await claimRuns({ ...LIMITS, perTarget: 2, runLength: 4 });
    expect(runs.map((run) => run.map((d) => d.payload))).toEqual([['a#0', 'a#1', 'a#2', 'a#3'], ['b#6']]);
    // A run is one lane sending: two of them fill perTarget 2, whatever their length.
    expect(await claimRuns({ ...LIMITS, perTarget: 2, runLength: 4 })).toEqual([]);
    expect(await claimRuns({ ...LIMITS, perTarget: 3, runLength: 4 })).toHaveLength(1);
    // A claimer that found the lane's rows free after the lease ran out takes the run again from its head.
    const later = Date.now() + LIMITS.leaseMs + 1;
    const again = await claimRuns({ ...LIMITS, perTarget: 4, runLength: 8 }, later);
    expect(again.find((run) => run[0].lane === 'a')!.map((d) => d.payload)).toEqual(['a#0', 'a#1', 'a#2', 'a#3', 'a#4', 'a#5']);
  });

  it('ends a run before a row that is not due or that someone holds, so a run never skips a row of its lane', async () => {
    await rows(CLAIM_KIND, 'r2', ['x', 'x', 'x', 'x']);
    const [, second, third] = await outbox('r2');
    await store.db.updateTable('outbox').set({ next_attempt_at: Date.now() + 60_000 }).where('seq', '=', third!.seq).execute();
    expect((await claimRuns({ ...LIMITS, runLength: 16 })).map((run) => run.map((d) => d.payload))).toEqual([['x#0', 'x#1']]);
    // A lease on a row behind the head (a worker that still sends it) cuts the run there too.
    await store.db.updateTable('outbox').set({ lease_until: null }).where('target_id', '=', 'r2').execute();
    await store.db.updateTable('outbox').set({ next_attempt_at: 0 }).where('target_id', '=', 'r2').execute();
    await store.db.updateTable('outbox').set({ lease_until: Date.now() + 60_000 }).where('seq', '=', second!.seq).execute();
    expect((await claimRuns({ ...LIMITS, runLength: 16 })).map((run) => run.map((d) => d.payload))).toEqual([['x#0']]);
  });

  it.runIf(kind === 'postgres')('never gives one row, or more than perTarget lanes of a target, to run claims racing from separate pools', async () => {
    const lanes = Array.from({ length: 30 }, (_, i) => `race-${i % 10}`);
    await rows(CLAIM_KIND, 'r3', lanes);
    const pools = [openAnother(), openAnother(), openAnother()];
    try {
      const claims = await Promise.all(
        Array.from({ length: 18 }, (_, i) =>
          pools[i % pools.length]!.db.transaction().execute((trx) => claimRunsIn(trx, 'postgres', CLAIM_KIND, { capacity: 4, perTarget: 5, leaseMs: 30_000, runLength: 3 })),
        ),
      );
      const all = claims.flat().filter((run) => run[0].targetId === 'r3');
      const seqs = all.flat().map((d) => d.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(new Set(all.map((run) => run[0].lane)).size).toBe(all.length);
      expect(all).toHaveLength(5);
      // Each run is its lane's first three rows, in order.
      for (const run of all) expect(run.map((d) => Number(d.payload.split('#')[1]))).toEqual([0, 10, 20].map((n) => n + Number(run[0].lane.slice(5))));
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('sends a run in order, and on a failure gives the rest back unsent with no attempt counted; the lane then waits for the failed row', async () => {
    const KIND = 'run-fail-test';
    await rows(KIND, 'r4', ['l', 'l', 'l', 'l', 'l', 'l']);
    let failures = 1;
    const { sender, sent } = recordingSender((d) => (d.payload === 'l#2' && failures-- > 0 ? failed : delivered));
    const worker = startOutboxWorker(store, KIND, sender, { pollMs: 20, runLength: 16, schedule: { delaysMs: [1500], windowMs: 600_000, jitter: 0 } });
    try {
      // The first run stops at l#2: the rows behind it are pending, unleased, never tried.
      await vi.waitFor(async () => {
        const after = await outbox('r4');
        expect(after.map((r) => [r.payload, r.status, r.attempts, r.lease_until === null])).toEqual([
          ['l#0', 'delivered', 1, true],
          ['l#1', 'delivered', 1, true],
          ['l#2', 'pending', 1, true],
          ['l#3', 'pending', 0, true],
          ['l#4', 'pending', 0, true],
          ['l#5', 'pending', 0, true],
        ]);
      }, { timeout: 1200, interval: 10 });
      await vi.waitFor(async () => expect((await outbox('r4')).every((r) => r.status === 'delivered')).toBe(true), { timeout: 5000, interval: 20 });
      expect(sent.map((s) => s.delivery.payload)).toEqual(['l#0', 'l#1', 'l#2', 'l#2', 'l#3', 'l#4', 'l#5']);
    } finally {
      await worker.close();
    }
  });

  it('starts a run\'s next row only while its lease covers one more attempt, and gives the rest back', async () => {
    const KIND = 'run-lease-test';
    await rows(KIND, 'r5', Array.from({ length: 8 }, () => 'slow'));
    const { sender, sent } = recordingSender(() => delivered, 100);
    const worker = startOutboxWorker(store, KIND, sender, { pollMs: 20, runLength: 8, leaseMs: 1000, attemptMs: 450 });
    try {
      await vi.waitFor(async () => expect((await outbox('r5')).every((r) => r.status === 'delivered')).toBe(true), { timeout: 10_000, interval: 20 });
      // Every row started with at least one attempt's time left on its lease, and each was sent once, in order.
      for (const { delivery, at } of sent) expect(delivery.leaseUntil - at).toBeGreaterThanOrEqual(450);
      expect(sent.map((s) => s.delivery.payload)).toEqual(Array.from({ length: 8 }, (_, i) => `slow#${i}`));
      // 100 ms a row and 550 ms of each lease usable: the 8 rows took more than one claim.
      expect(new Set(sent.map((s) => s.delivery.leaseUntil)).size).toBeGreaterThan(1);
    } finally {
      await worker.close();
    }
  });

  it('keeps at most perTarget lanes of one target in flight while each sends a run', async () => {
    const KIND = 'run-limit-test';
    await rows(KIND, 'r6', Array.from({ length: 48 }, (_, i) => `lane-${i % 8}`));
    const { sender, sent, mostInFlight } = recordingSender(() => delivered, 5);
    const worker = startOutboxWorker(store, KIND, sender, { pollMs: 20, perTarget: 3, runLength: 4 });
    try {
      await vi.waitFor(async () => expect((await outbox('r6')).every((r) => r.status === 'delivered')).toBe(true), { timeout: 10_000, interval: 20 });
      expect(mostInFlight()).toBe(3);
      expect(sent).toHaveLength(48);
      // Each lane in its own order.
      for (let lane = 0; lane < 8; lane += 1) {
        const ofLane = sent.filter((s) => s.delivery.lane === `lane-${lane}`).map((s) => Number(s.delivery.payload.split('#')[1]));
        expect(ofLane).toEqual([...ofLane].sort((a, b) => a - b));
      }
    } finally {
      await worker.close();
    }
    // claimDue still hands out the flat rows, for callers that want no runs.
    expect(await claimDue(store.db, store.kind, KIND, LIMITS)).toEqual([]);
  });
});
