import type { WebhookDisabledEvent } from '@chatsdk/protocol';
import type { Kysely } from 'kysely';
import { enqueue } from '../../outbox/index.js';
import type { Database } from '../../store/schema.js';
import { randomId, toIso } from '../common/ids.js';
import { webhookBody } from './webhook-body.js';
import { WEBHOOK_TARGET } from './deliveries.js';

/** A delivery went through: the endpoint's run of failures, if any, is over. */
export async function recordSuccess(db: Kysely<Database>, appId: string, id: string): Promise<void> {
  await db.updateTable('webhooks').set({ failing_since: null }).where('app_id', '=', appId).where('id', '=', id).where('failing_since', 'is not', null).execute();
}

/**
 * A delivery failed: starts the endpoint's run of failures if none is going
 * on, and disables the endpoint once the run has lasted `windowMs` (24 h).
 * Returns whether this call disabled it. `trx` is the worker's transaction,
 * so the disabling commits with the outcome that caused it.
 */
export async function recordFailure(db: Kysely<Database>, appId: string, id: string, windowMs: number, now = Date.now()): Promise<boolean> {
  await db.updateTable('webhooks').set({ failing_since: now }).where('app_id', '=', appId).where('id', '=', id).where('failing_since', 'is', null).execute();
  const row = await db.selectFrom('webhooks').select(['failing_since', 'disabled_at']).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row || row.disabled_at !== null || row.failing_since === null || now - row.failing_since < windowMs) return false;
  return disableEndpoint(db, appId, id, row.failing_since, now);
}

/**
 * Disables an endpoint that kept failing, gives up its pending deliveries,
 * and writes a `webhook.disabled` row to its outbox, never sent (the endpoint
 * is the one that fails), for its delivery log: all in the caller's
 * transaction `trx`. Of two processes that see the same failure, one disables.
 */
async function disableEndpoint(trx: Kysely<Database>, appId: string, id: string, failingSince: number, now: number): Promise<boolean> {
  const disabled = await trx
    .updateTable('webhooks')
    .set({ disabled_at: now, updated_at: now })
    .where('app_id', '=', appId)
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (disabled.numUpdatedRows === 0n) return false;
  const reason = `deliveries failed for ${Math.round((now - failingSince) / 60_000)} minutes, since ${toIso(failingSince)}`;
  await trx
    .updateTable('outbox')
    .set({ status: 'failed', lease_until: null })
    .where('target_kind', '=', WEBHOOK_TARGET)
    .where('target_id', '=', id)
    .where('status', '=', 'pending')
    .execute();
  const event: WebhookDisabledEvent = { type: 'webhook.disabled', webhookId: id, reason, createdAt: toIso(now) };
  const lane = `webhook:${id}`;
  await enqueue(trx, [{ appId, eventId: randomId('evt'), targetKind: WEBHOOK_TARGET, targetId: id, lane, type: event.type, payload: webhookBody(event.type, now, JSON.stringify(event)) }], now);
  // Written as given up at once: the worker must not try to send it.
  await trx
    .updateTable('outbox')
    .set({ status: 'failed', last_error: 'not sent: the endpoint is disabled' })
    .where('target_kind', '=', WEBHOOK_TARGET)
    .where('target_id', '=', id)
    .where('lane', '=', lane)
    .where('status', '=', 'pending')
    .execute();
  return true;
}
