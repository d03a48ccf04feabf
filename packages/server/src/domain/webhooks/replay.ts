import type { Insertable, Transaction } from 'kysely';
import type { Database, OutboxTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { WEBHOOK_TARGET } from './deliveries.js';

/** Rows read and written per step: a bounded batch, well under both dialects' limits on bound parameters. */
const PAGE = 500;

/** The log's record of an endpoint being disabled: it is about the endpoint, not an event to send it. */
const DISABLED_RECORD = 'webhook.disabled';

/** What a replay did. */
export interface ReplayOutcome {
  /** Events queued again. */
  replayed: number;
  /** Whether the webhook was disabled or paused, and the replay enabled it. */
  reenabled: boolean;
}

type Trx = Transaction<Database>;

/** Of `ids`, those that had a row for this webhook before `since`: events older than the window, re-sent once by an earlier replay. */
async function olderEvents(trx: Trx, appId: string, webhookId: string, since: number, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await trx
    .selectFrom('outbox')
    .select('event_id')
    .distinct()
    .where('app_id', '=', appId)
    .where('target_kind', '=', WEBHOOK_TARGET)
    .where('target_id', '=', webhookId)
    .where('created_at', '<', since)
    .where('event_id', 'in', ids)
    .execute();
  return new Set(rows.map((row) => row.event_id));
}

/**
 * Queues again every event this webhook was sent (or was to be sent) since
 * `since` (ms): one new pending row per event, with the payload and
 * `webhook-id` of its first row, so the receiver sees the same body and can
 * drop what it already has. Written in the events' original order, so the
 * worker delivers each channel's again in order (after any of its rows still
 * pending). An event is replayed once however many rows it has; one whose
 * first row is older than `since` (an earlier replay's copy) is left out.
 *
 * A disabled or paused webhook is enabled by the replay: replaying is the
 * operator saying the endpoint is back, and rows queued to an endpoint that
 * stays off would only wait. Everything happens in one transaction: a
 * replay is all of it or none. Answers undefined for a webhook the app does
 * not have.
 */
export async function replayWebhook(store: Store, appId: string, webhookId: string, since: number): Promise<ReplayOutcome | undefined> {
  return store.db.transaction().execute(async (trx) => {
    const webhook = await trx.selectFrom('webhooks').select('disabled_at').where('app_id', '=', appId).where('id', '=', webhookId).executeTakeFirst();
    if (!webhook) return undefined;
    const now = Date.now();
    const reenabled = webhook.disabled_at !== null;
    if (reenabled) {
      await trx.updateTable('webhooks').set({ disabled_at: null, failing_since: null, updated_at: now }).where('app_id', '=', appId).where('id', '=', webhookId).execute();
    }
    // The rows as they are now: the copies this replay writes come after and must not be read back.
    const top = await trx
      .selectFrom('outbox')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('app_id', '=', appId)
      .where('target_kind', '=', WEBHOOK_TARGET)
      .where('target_id', '=', webhookId)
      .executeTakeFirst();
    const lastSeq = Number(top?.seq ?? 0);
    const seen = new Set<string>();
    let after = 0;
    let replayed = 0;
    for (;;) {
      const rows = await trx
        .selectFrom('outbox')
        .select(['seq', 'event_id', 'lane', 'type', 'payload'])
        .where('app_id', '=', appId)
        .where('target_kind', '=', WEBHOOK_TARGET)
        .where('target_id', '=', webhookId)
        .where('seq', '>', after)
        .where('seq', '<=', lastSeq)
        .where('created_at', '>=', since)
        .where('type', '<>', DISABLED_RECORD)
        .orderBy('seq')
        .limit(PAGE)
        .execute();
      const last = rows.at(-1);
      if (!last) break;
      after = Number(last.seq);
      // Each event once, from its first row in the window.
      const fresh: typeof rows = [];
      for (const row of rows) {
        if (seen.has(row.event_id)) continue;
        seen.add(row.event_id);
        fresh.push(row);
      }
      const older = await olderEvents(trx, appId, webhookId, since, fresh.map((row) => row.event_id));
      const copies: Insertable<OutboxTable>[] = fresh
        .filter((row) => !older.has(row.event_id))
        .map((row) => ({
          app_id: appId,
          event_id: row.event_id,
          target_kind: WEBHOOK_TARGET,
          target_id: webhookId,
          lane: row.lane,
          type: row.type,
          payload: row.payload,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          lease_until: null,
          last_status_code: null,
          last_error: null,
          last_duration_ms: null,
          created_at: now,
          delivered_at: null,
        }));
      // One multi-row insert per page: its rows take their seq in the order listed, the events' order.
      if (copies.length > 0) await trx.insertInto('outbox').values(copies).execute();
      replayed += copies.length;
      if (rows.length < PAGE) break;
    }
    return { replayed, reenabled };
  });
}
