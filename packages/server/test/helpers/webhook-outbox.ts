import type { OutboxStatus } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';

/** One outbox row as a test writes it, straight in the store (as the delivery side does in a change's transaction). */
export interface OutboxRowInput {
  appId: string;
  webhookId: string;
  eventId: string;
  type?: string;
  lane?: string;
  status?: OutboxStatus;
  createdAt?: number;
  /** Pending rows default to a day ahead, so a running worker leaves them where the test put them. */
  nextAttemptAt?: number;
  attempts?: number;
  lastStatusCode?: number | null;
  lastError?: string | null;
  targetKind?: string;
}

/** Writes rows in the order given (their seq follows it) and answers their seqs. */
export async function insertOutboxRows(store: Store, rows: OutboxRowInput[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const row of rows) {
    const createdAt = row.createdAt ?? Date.now();
    const status = row.status ?? 'pending';
    const type = row.type ?? 'message.new';
    const payload = JSON.stringify({ type, timestamp: new Date(createdAt).toISOString(), data: { eventId: row.eventId, lane: row.lane ?? 'general' } });
    const inserted = await store.db
      .insertInto('outbox')
      .values({
        app_id: row.appId,
        event_id: row.eventId,
        target_kind: row.targetKind ?? 'webhook',
        target_id: row.webhookId,
        lane: row.lane ?? 'general',
        type,
        payload,
        status,
        attempts: row.attempts ?? (status === 'pending' ? 0 : 1),
        next_attempt_at: row.nextAttemptAt ?? createdAt + 86_400_000,
        lease_until: null,
        last_status_code: row.lastStatusCode === undefined ? (status === 'delivered' ? 200 : status === 'failed' ? 500 : null) : row.lastStatusCode,
        last_error: row.lastError === undefined ? (status === 'failed' ? 'HTTP 500' : null) : row.lastError,
        last_duration_ms: status === 'pending' ? null : 12,
        created_at: createdAt,
        delivered_at: status === 'delivered' ? createdAt + 5 : null,
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    seqs.push(Number(inserted.seq));
  }
  return seqs;
}

/** Every outbox row of one webhook, in write order. */
export function outboxRowsOf(store: Store, appId: string, webhookId: string) {
  return store.db.selectFrom('outbox').selectAll().where('app_id', '=', appId).where('target_id', '=', webhookId).orderBy('seq').execute();
}
