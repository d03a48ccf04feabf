import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.js';
import type { StoreKind } from '../store/store.js';
import type { OutboxEntry } from './enqueue.js';

/** A delivery a worker holds until `leaseUntil`: nobody else sends it meanwhile. */
export interface ClaimedDelivery extends OutboxEntry {
  seq: number;
  /** Attempts before this one. */
  attempts: number;
  createdAt: number;
  /** The lease this claim set; completing checks it, so a worker whose lease ran out cannot overwrite another's result. */
  leaseUntil: number;
}

/**
 * A lane's head and the rows right behind it, leased together and sent one
 * after another by one worker: the rows of a run are consecutive pending rows
 * of one lane of one target, in `seq` order, so sending them in turn keeps
 * the lane's order without a claim between them.
 */
export type ClaimedRun = readonly [ClaimedDelivery, ...ClaimedDelivery[]];

/** What one claim may take. */
export interface ClaimLimits {
  /** Deliveries to take at most (the worker's free slots). */
  capacity: number;
  /** Deliveries in flight per target at most, counting every worker's. */
  perTarget: number;
  leaseMs: number;
  /** Rows of one lane taken at most per run, the head included (default 1: heads only). */
  runLength?: number;
}

/** Heads looked at per claim beyond `capacity`, so one busy target does not hide the others' due rows. */
const SCAN_FACTOR = 4;

/** A fixed key of PostgreSQL's advisory lock for claims of one kind: claims take turns, sends do not. */
function claimLockKey(kind: string): number {
  let hash = 0x6f7574; // "out"
  for (let i = 0; i < kind.length; i += 1) hash = (hash * 31 + kind.charCodeAt(i)) | 0;
  return hash;
}

/**
 * Claims due deliveries of `kind`, in one short transaction, and leases them.
 *
 * A row is due when it is pending, its time has come, nobody's lease on it
 * is running, and no earlier row of the same lane of the same target is
 * still pending: a lane is sent one row at a time in `seq` order, and a row
 * that keeps failing holds back only the rows behind it in its own lane.
 * With `runLength` above 1 a due head comes with up to `runLength - 1` of
 * the rows right behind it (see `ClaimedRun`). Per target, lanes already
 * leased (by any process) count against `perTarget`, since a lane is sent
 * one row at a time whatever its run's length, and at most `perTarget` of
 * its due heads are looked at, so a target with many busy lanes does not
 * hide the rows of the targets after it.
 *
 * On PostgreSQL several processes claim from one table: the picked rows are
 * locked `FOR UPDATE SKIP LOCKED`, and claims of one kind take turns on an
 * advisory lock held for the claim's transaction only, so two processes cannot both count a target's
 * leases as free and send more than `perTarget` to it, nor take one row twice.
 * SQLite has one writer and one worker.
 */
export async function claimDue(db: Kysely<Database>, kind: StoreKind, targetKind: string, limits: ClaimLimits, now = Date.now()): Promise<ClaimedDelivery[]> {
  if (limits.capacity <= 0) return [];
  return db.transaction().execute((trx) => claimIn(trx, kind, targetKind, limits, now));
}

/** `claimDue` inside the caller's transaction `trx`: every claimed row, runs flattened, in `seq` order. */
export async function claimIn(trx: Kysely<Database>, kind: StoreKind, targetKind: string, limits: ClaimLimits, now = Date.now()): Promise<ClaimedDelivery[]> {
  return (await claimRunsIn(trx, kind, targetKind, limits, now)).flat().sort((a, b) => a.seq - b.seq);
}

/** `claimDue`'s rows grouped by lane, in the caller's transaction `trx` (the worker records finished attempts in the same one: one commit for both). */
export async function claimRunsIn(trx: Kysely<Database>, kind: StoreKind, targetKind: string, limits: ClaimLimits, now = Date.now()): Promise<ClaimedRun[]> {
  if (limits.capacity <= 0) return [];
  if (kind === 'postgres') await sql`select pg_advisory_xact_lock(${claimLockKey(targetKind)})`.execute(trx);
  const picked = await pickHeads(trx, targetKind, limits, now);
  if (picked.length === 0) return [];

  // The picked rows themselves, checked again and locked (PostgreSQL cannot lock rows of a window
  // query): a row a completion is writing right now is skipped, not waited for.
  const heads = await trx
    .selectFrom('outbox')
    .select(COLUMNS)
    .where('seq', 'in', picked)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .orderBy('seq')
    .$if(kind === 'postgres', (q) => q.forUpdate().skipLocked())
    .execute();
  if (heads.length === 0) return [];

  const runLength = Math.max(1, limits.runLength ?? 1);
  const runs: OutboxRow[][] = [];
  for (const head of heads) runs.push([head, ...(runLength > 1 ? await rowsBehind(trx, kind, head, runLength - 1, now) : [])]);

  const leaseUntil = now + limits.leaseMs;
  await trx
    .updateTable('outbox')
    .set({ lease_until: leaseUntil })
    .where('seq', 'in', runs.flat().map((r) => r.seq))
    .execute();
  return runs.map(([head, ...rest]) => [toDelivery(head!, targetKind, leaseUntil), ...rest.map((r) => toDelivery(r, targetKind, leaseUntil))] as const);
}

/** The columns a claim returns. */
const COLUMNS = ['seq', 'app_id', 'event_id', 'target_id', 'lane', 'type', 'payload', 'attempts', 'created_at', 'next_attempt_at', 'lease_until'] as const;

interface OutboxRow {
  seq: number;
  app_id: string;
  event_id: string;
  target_id: string;
  lane: string;
  type: string;
  payload: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  lease_until: number | null;
}

function toDelivery(r: OutboxRow, targetKind: string, leaseUntil: number): ClaimedDelivery {
  return {
    seq: r.seq,
    appId: r.app_id,
    eventId: r.event_id,
    targetKind,
    targetId: r.target_id,
    lane: r.lane,
    type: r.type,
    payload: r.payload,
    attempts: r.attempts,
    createdAt: r.created_at,
    leaseUntil,
  };
}

/**
 * The `max` pending rows right behind `head` in its lane (the lane index's
 * range, not the table), cut at the first that is not due or is leased, and
 * on PostgreSQL at the first that another transaction holds locked: a run is
 * a gapless stretch of its lane, or sending it in turn could skip a row.
 */
async function rowsBehind(trx: Kysely<Database>, kind: StoreKind, head: OutboxRow, max: number, now: number): Promise<OutboxRow[]> {
  const next = await trx
    .selectFrom('outbox')
    .select(COLUMNS)
    .where('target_id', '=', head.target_id)
    .where('lane', '=', head.lane)
    .where('status', '=', 'pending')
    .where('seq', '>', head.seq)
    .orderBy('seq')
    .limit(max)
    .execute();
  const due: OutboxRow[] = [];
  for (const row of next) {
    if (row.next_attempt_at > now || (row.lease_until !== null && row.lease_until > now)) break;
    due.push(row);
  }
  if (kind !== 'postgres' || due.length === 0) return due;
  const locked = await trx
    .selectFrom('outbox')
    .select('seq')
    .where('seq', 'in', due.map((r) => r.seq))
    .where('status', '=', 'pending')
    .orderBy('seq')
    .forUpdate()
    .skipLocked()
    .execute();
  const held = new Set(locked.map((r) => r.seq));
  const run: OutboxRow[] = [];
  for (const row of due) {
    if (!held.has(row.seq)) break;
    run.push(row);
  }
  return run;
}

/**
 * The heads to lease: due heads of lanes, oldest first, at most `perTarget`
 * looked at per target and at most `perTarget` lanes in flight per target.
 */
async function pickHeads(trx: Kysely<Database>, targetKind: string, limits: ClaimLimits, now: number): Promise<number[]> {
  // The head of each lane, found by skipping through the partial index on (target_id, lane, seq): each step
  // is one index seek to the first pending row of the next lane (the next lane of the same target, else the
  // first lane of the next target) and one primary-key read of it, so finding the heads costs
  // O(lanes · log n), not a pass over every pending row. Of those, the due heads, at most `perTarget` of each
  // target (its oldest): a target with a thousand busy lanes must not fill the page and hide the others'
  // rows. (Lanes are keyed by target id and lane across kinds: target ids are unique ids, so two kinds
  // never share one.) The heads' own columns travel with them, so the outer query reads no table.
  const { rows: candidates } = await sql<{ seq: number; target_id: string }>`
    with recursive heads (seq, target_id, lane, target_kind, next_attempt_at, lease_until) as (
      select seq, target_id, lane, target_kind, next_attempt_at, lease_until from outbox where seq = (
        select seq from outbox where status = 'pending' order by target_id, lane, seq limit 1)
      union all
      select o.seq, o.target_id, o.lane, o.target_kind, o.next_attempt_at, o.lease_until from heads h join outbox o on o.seq = coalesce(
        (select p.seq from outbox p where p.status = 'pending' and p.target_id = h.target_id and p.lane > h.lane
          order by p.target_id, p.lane, p.seq limit 1),
        (select p.seq from outbox p where p.status = 'pending' and p.target_id > h.target_id
          order by p.target_id, p.lane, p.seq limit 1))
    )
    select r.seq, r.target_id from (
      select seq, target_id, row_number() over (partition by target_id order by seq) as rank
      from heads
      where target_kind = ${targetKind} and next_attempt_at <= ${now} and (lease_until is null or lease_until <= ${now})
    ) r
    where r.rank <= ${limits.perTarget}
    order by r.seq
    limit ${limits.capacity * SCAN_FACTOR}`.execute(trx);
  if (candidates.length === 0) return [];

  // In flight per target: its lanes with a running lease (a run of several rows is one lane sending one at a time).
  const targets = [...new Set(candidates.map((c) => c.target_id))];
  const leased = await trx
    .selectFrom('outbox')
    .select(['target_id', (eb) => eb.fn.count<number>('lane').distinct().as('n')])
    .where('target_kind', '=', targetKind)
    .where('status', '=', 'pending')
    .where('lease_until', '>', now)
    .where('target_id', 'in', targets)
    .groupBy('target_id')
    .execute();
  const busy = new Map(leased.map((r) => [r.target_id, Number(r.n)]));

  const picked: number[] = [];
  for (const row of candidates) {
    if (picked.length >= limits.capacity) break;
    const inFlight = busy.get(row.target_id) ?? 0;
    if (inFlight >= limits.perTarget) continue;
    busy.set(row.target_id, inFlight + 1);
    picked.push(Number(row.seq));
  }
  return picked;
}
