import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** One delivery to write: an event for one target. */
export interface OutboxEntry {
  appId: string;
  /** The event's id, shared by every target of the event (the `webhook-id`). */
  eventId: string;
  targetKind: string;
  targetId: string;
  /** Deliveries of one lane of one target go one at a time, in order. */
  lane: string;
  type: string;
  /** The body exactly as it will be sent. */
  payload: string;
}

/** Rows per multi-row insert: 11 parameters a row keeps a statement under SQLite's and PostgreSQL's limits. */
const ROWS_PER_INSERT = 400;

/**
 * Writes deliveries, due now, in the caller's transaction: they commit with
 * the change that caused them or not at all. Order of `entries` is the order
 * of their `seq`, which is the order a lane is delivered in.
 */
export async function enqueue(trx: Kysely<Database>, entries: readonly OutboxEntry[], now = Date.now()): Promise<void> {
  for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
    const rows = entries.slice(i, i + ROWS_PER_INSERT).map((e) => ({
      app_id: e.appId,
      event_id: e.eventId,
      target_kind: e.targetKind,
      target_id: e.targetId,
      lane: e.lane,
      type: e.type,
      payload: e.payload,
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      created_at: now,
    }));
    await trx.insertInto('outbox').values(rows).execute();
  }
}
