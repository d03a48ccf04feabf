import type { DeliveryStatus, WebhookDelivery } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { OutboxTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { toIso } from '../common/ids.js';
import { decodeIdKey, encodeIdKey } from '../common/keyset.js';

/** A page of the log when the caller names no limit. */
export const DEFAULT_DELIVERIES_LIMIT = 25;

/** The outbox's `target_kind` of a webhook's rows (push shares the table). */
export const WEBHOOK_TARGET = 'webhook';

/** One outbox row as the log shows it. */
export function toWireDelivery(row: Selectable<OutboxTable>): WebhookDelivery {
  return {
    id: row.event_id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastDurationMs: row.last_duration_ms,
    // A delivered or given-up row has no next attempt, whatever its column still holds.
    nextAttemptAt: row.status === 'pending' ? toIso(row.next_attempt_at) : null,
    createdAt: toIso(row.created_at),
    deliveredAt: row.delivered_at === null ? null : toIso(row.delivered_at),
  };
}

/** The `seq` a cursor stands for; anything this API did not return is a 400. */
function seqOf(cursor: string): number {
  const seq = Number(decodeIdKey(cursor));
  if (!Number.isSafeInteger(seq) || seq < 1) throw new ApiError('validation_failed', 'cursor is not one this API returned');
  return seq;
}

/** What a page of the log asks for. */
export interface DeliveriesQuery {
  status?: DeliveryStatus | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/**
 * A page of a webhook's delivery log, newest first (by write order, which a
 * clock step cannot reorder), `status` filtering; `next` continues after its
 * last row and is null on the last page. The `webhook.disabled` record the
 * worker writes when it gives up on the endpoint is a row like any other.
 * The caller has checked the webhook is the app's.
 */
export async function listDeliveries(
  store: Store,
  appId: string,
  webhookId: string,
  query: DeliveriesQuery,
): Promise<{ deliveries: WebhookDelivery[]; next: string | null }> {
  const limit = query.limit ?? DEFAULT_DELIVERIES_LIMIT;
  let select = store.db
    .selectFrom('outbox')
    .selectAll()
    .where('app_id', '=', appId)
    .where('target_kind', '=', WEBHOOK_TARGET)
    .where('target_id', '=', webhookId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.cursor !== undefined) select = select.where('seq', '<', seqOf(query.cursor));
  // One row more than the page says whether there is a next one.
  const rows = await select.orderBy('seq', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { deliveries: page.map(toWireDelivery), next: rows.length > limit && last ? encodeIdKey(String(last.seq)) : null };
}
