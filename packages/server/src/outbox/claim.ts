import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.js';
import type { StoreKind } from '../store/store.js';

/** A delivery a worker holds until `leaseUntil`: nobody else sends it meanwhile. */
export interface ClaimedDelivery {
  seq: number;
  appId: string;
  eventId: string;
  targetKind: string;
  targetId: string;
  lane: string;
  type: string;
  payload: string;
  /** Attempts before this one. */
  attempts: number;
  createdAt: number;
  /** The lease this claim set; completing checks it, so a worker whose lease ran out cannot overwrite another's result. */
  leaseUntil: number;
}

/** What one claim may take. */
export interface ClaimLimits {
  /** Deliveries to take at most (the worker's free slots). */
  capacity: number;
  /** Deliveries in flight per target at most, counting every worker's. */
  perTarget: number;
  leaseMs: number;
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
 * Per target, rows already leased (by any process) count against `perTarget`,
 * and at most `perTarget` of its due heads are looked at, so a target with
 * many busy lanes does not hide the rows of the targets after it.
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

/** `claimDue` inside the caller's transaction `trx` (the worker records finished attempts in the same one: one commit for both). */
export async function claimIn(trx: Kysely<Database>, kind: StoreKind, targetKind: string, limits: ClaimLimits, now = Date.now()): Promise<ClaimedDelivery[]> {
  if (limits.capacity <= 0) return [];
  if (kind === 'postgres') await sql`select pg_advisory_xact_lock(${claimLockKey(targetKind)})`.execute(trx);
  // The head of each lane: its oldest pending row. Read from the partial index on (target_id, lane, seq)
  // alone, one entry per pending row, instead of testing every pending row for an earlier one; the
  // rows behind a head are never candidates. (Lanes are keyed by target id and lane across kinds:
  // target ids are unique ids, so two kinds never share one.)
  const heads = trx
    .selectFrom('outbox')
    .select(['target_id', 'lane', (eb) => eb.fn.min('seq').as('head')])
    .where('status', '=', 'pending')
    .groupBy(['target_id', 'lane'])
    .as('h');
  // The due heads, at most `perTarget` of each target (its oldest): a target with a thousand busy lanes
  // must not fill the page and hide the others' rows.
  const ranked = trx
    .selectFrom('outbox as o')
    .innerJoin(heads, (join) => join.onRef('h.head', '=', 'o.seq'))
    .select(['o.seq', 'o.target_id', sql<number>`row_number() over (partition by ${sql.ref('o.target_id')} order by ${sql.ref('o.seq')})`.as('rank')])
    .where('o.target_kind', '=', targetKind)
    .where('o.next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('o.lease_until', 'is', null), eb('o.lease_until', '<=', now)]))
    .as('r');
  const candidates = await trx
    .selectFrom(ranked)
    .select(['r.seq', 'r.target_id'])
    .where('r.rank', '<=', limits.perTarget)
    .orderBy('r.seq')
    .limit(limits.capacity * SCAN_FACTOR)
    .execute();
  if (candidates.length === 0) return [];

  const targets = [...new Set(candidates.map((c) => c.target_id))];
  const leased = await trx
    .selectFrom('outbox')
    .select(['target_id', (eb) => eb.fn.countAll<number>().as('n')])
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
    picked.push(row.seq);
  }
  if (picked.length === 0) return [];

  // The picked rows themselves, checked again and locked (PostgreSQL cannot lock rows of a window
  // query): a row a completion is writing right now is skipped, not waited for.
  const chosen = await trx
    .selectFrom('outbox')
    .select(['seq', 'app_id', 'event_id', 'target_id', 'lane', 'type', 'payload', 'attempts', 'created_at'])
    .where('seq', 'in', picked)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .orderBy('seq')
    .$if(kind === 'postgres', (q) => q.forUpdate().skipLocked())
    .execute();
  if (chosen.length === 0) return [];

  const leaseUntil = now + limits.leaseMs;
  await trx
    .updateTable('outbox')
    .set({ lease_until: leaseUntil })
    .where('seq', 'in', chosen.map((r) => r.seq))
    .execute();
  return chosen.map((r) => ({
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
  }));
}
