import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** How long finished deliveries stay, for the delivery log and replay: 7 days. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/** How often the sweep runs. */
export const OUTBOX_SWEEP_INTERVAL_MS = 3_600_000;

/** Rows read, and at most removed, per statement. */
const BATCH = 1000;

/**
 * Removes delivered and failed rows older than the retention (pending rows
 * stay whatever their age: they are still owed). Returns how many went.
 *
 * Rows are written in `seq` order at about the time they are stamped, so the
 * old ones are at the start of the primary key: the sweep walks it from
 * there in batches and stops at the first batch that reaches past the
 * cutoff, instead of scanning a week of deliveries for `created_at`.
 */
export async function sweepOutbox(db: Kysely<Database>, now = Date.now(), retentionMs = OUTBOX_RETENTION_MS): Promise<number> {
  const cutoff = now - retentionMs;
  let after = 0;
  let removed = 0;
  for (;;) {
    const rows = await db.selectFrom('outbox').select(['seq', 'created_at', 'status']).where('seq', '>', after).orderBy('seq').limit(BATCH).execute();
    const old = rows.filter((r) => r.created_at < cutoff && r.status !== 'pending').map((r) => r.seq);
    if (old.length > 0) removed += Number((await db.deleteFrom('outbox').where('seq', 'in', old).executeTakeFirst()).numDeletedRows);
    const last = rows.at(-1);
    if (!last || rows.length < BATCH || last.created_at >= cutoff) return removed;
    after = last.seq;
  }
}
