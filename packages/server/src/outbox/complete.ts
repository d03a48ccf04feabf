import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { ClaimedDelivery } from './claim.js';

/** How one attempt went, as the delivery log shows it. */
export interface AttemptResult {
  /** The receiver's HTTP status; null when it did not answer (refused, timed out, unreachable). */
  statusCode: number | null;
  /** Why it failed; null after a success. */
  error: string | null;
  durationMs: number;
}

/** Errors are kept short in the log: a receiver's or a resolver's message is not ours to store whole. */
const MAX_ERROR_LENGTH = 500;

/** The row as this claim leased it, still pending: a lease that ran out and was taken by another worker is not ours to write. */
function ownRow(db: Kysely<Database>, delivery: ClaimedDelivery) {
  return db
    .updateTable('outbox')
    .where('seq', '=', delivery.seq)
    .where('status', '=', 'pending')
    .where('lease_until', '=', delivery.leaseUntil);
}

function attemptColumns(delivery: ClaimedDelivery, result: AttemptResult) {
  return {
    attempts: delivery.attempts + 1,
    lease_until: null,
    last_status_code: result.statusCode,
    last_error: result.error === null ? null : result.error.slice(0, MAX_ERROR_LENGTH),
    last_duration_ms: Math.max(0, Math.round(result.durationMs)),
  };
}

/** Records a successful attempt. */
export async function markDelivered(db: Kysely<Database>, delivery: ClaimedDelivery, result: AttemptResult, now = Date.now()): Promise<void> {
  await ownRow(db, delivery).set({ ...attemptColumns(delivery, result), status: 'delivered', delivered_at: now }).execute();
}

/** Records a failed attempt and when to try again. */
export async function markRetry(db: Kysely<Database>, delivery: ClaimedDelivery, result: AttemptResult, nextAttemptAt: number): Promise<void> {
  await ownRow(db, delivery).set({ ...attemptColumns(delivery, result), next_attempt_at: nextAttemptAt }).execute();
}

/** Records a failed attempt after which the delivery is given up. */
export async function markFailed(db: Kysely<Database>, delivery: ClaimedDelivery, result: AttemptResult): Promise<void> {
  await ownRow(db, delivery).set({ ...attemptColumns(delivery, result), status: 'failed' }).execute();
}

/** Gives a lease back unused (the worker is stopping): the row is due again at once, for this process or another. */
export async function releaseLease(db: Kysely<Database>, delivery: ClaimedDelivery): Promise<void> {
  await ownRow(db, delivery).set({ lease_until: null }).execute();
}

/** Puts a delivery off until `until` without counting an attempt (its target is paused). */
export async function postpone(db: Kysely<Database>, delivery: ClaimedDelivery, until: number): Promise<void> {
  await ownRow(db, delivery).set({ lease_until: null, next_attempt_at: until }).execute();
}

/** Removes the pending deliveries of a target that no longer exists (a deleted webhook). */
export async function dropPending(db: Kysely<Database>, targetKind: string, targetId: string): Promise<void> {
  await db.deleteFrom('outbox').where('target_kind', '=', targetKind).where('target_id', '=', targetId).where('status', '=', 'pending').execute();
}

/** Gives back every lease of `targetKind`: only for a store that has one worker (SQLite), when that worker starts. */
export async function releaseAllLeases(db: Kysely<Database>, targetKind: string): Promise<void> {
  await db.updateTable('outbox').set({ lease_until: null }).where('target_kind', '=', targetKind).where('status', '=', 'pending').where('lease_until', 'is not', null).execute();
}
