import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** How long finished deliveries stay, for the delivery log and replay: 7 days. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/** How often the sweep runs. */
export const OUTBOX_SWEEP_INTERVAL_MS = 3_600_000;

/**
 * Removes delivered and failed rows older than the retention (pending rows
 * stay whatever their age: they are still owed). Returns how many went.
 */
export async function sweepOutbox(db: Kysely<Database>, now = Date.now(), retentionMs = OUTBOX_RETENTION_MS): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('status', 'in', ['delivered', 'failed'])
    .where('created_at', '<', now - retentionMs)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
