import type { CreateWebhookBody, UpdateWebhookBody, Webhook } from '@chatsdk/protocol';
import type { Selectable, Updateable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { WebhooksTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { randomId, toIso } from '../common/ids.js';
import { readJson } from '../common/json-columns.js';
import { newSigningSecret } from './signature.js';
import { normaliseEventFilter } from './webhook-event-filter.js';
import { webhookSecretOwner } from './webhook-secrets.js';
import { checkWebhookUrl, type WebhookUrlRules } from './webhook-url.js';

/** Endpoints one app may have: each event is written once per endpoint in the change's transaction, so they cost every send. */
export const MAX_WEBHOOKS_PER_APP = 20;
/** How long a rotated-out secret keeps signing beside the new one: a day to deploy the new secret. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** What the webhook functions work with: the store, and the operator's URL rules. */
export interface WebhookDeps {
  store: Store;
  webhookUrls: WebhookUrlRules;
}

/** A webhook as the REST side holds it: its secrets stay in the row. */
export interface WebhookRecord {
  appId: string;
  id: string;
  url: string;
  events: string[];
  description: string;
  previousSecretUntil: number | null;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

function webhookFromRow(row: Selectable<WebhooksTable>): WebhookRecord {
  return {
    appId: row.app_id,
    id: row.id,
    url: row.url,
    events: readJson<string[]>(row.events),
    description: row.description,
    previousSecretUntil: row.previous_secret === null ? null : row.previous_secret_until,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The webhook as the API shows it (no secret). */
export function toWireWebhook(webhook: WebhookRecord, now = Date.now()): Webhook {
  const until = webhook.previousSecretUntil;
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    description: webhook.description,
    disabledAt: webhook.disabledAt === null ? null : toIso(webhook.disabledAt),
    previousSecretExpiresAt: until !== null && until > now ? toIso(until) : null,
    createdAt: toIso(webhook.createdAt),
    updatedAt: toIso(webhook.updatedAt),
  };
}

/**
 * Creates a webhook, its URL and events checked first. The returned `secret`
 * is the only time it exists in clear outside the secret box.
 */
export async function createWebhook(deps: WebhookDeps, appId: string, body: CreateWebhookBody): Promise<{ webhook: WebhookRecord; secret: string }> {
  const events = normaliseEventFilter(body.events);
  const url = await checkWebhookUrl(body.url, deps.webhookUrls);
  const { store } = deps;
  const id = randomId('wh');
  const secret = newSigningSecret();
  const now = Date.now();
  const row: Selectable<WebhooksTable> = {
    app_id: appId,
    id,
    url,
    events: JSON.stringify(events),
    description: body.description ?? '',
    secret: store.secrets.seal(secret, webhookSecretOwner(appId, id)),
    previous_secret: null,
    previous_secret_until: null,
    failing_since: null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
  };
  await store.db.transaction().execute(async (trx) => {
    // Creates of one app take turns on its row, so two at once cannot both count 19 (SQLite runs one write transaction at a time anyway).
    // NO KEY: the rows other tables insert meanwhile (messages, outbox) take KEY SHARE on it, and must not wait for this.
    if (store.kind === 'postgres') await trx.selectFrom('apps').select('id').where('id', '=', appId).forNoKeyUpdate().execute();
    const { count } = await trx.selectFrom('webhooks').select((eb) => eb.fn.countAll<number | string>().as('count')).where('app_id', '=', appId).executeTakeFirstOrThrow();
    if (Number(count) >= MAX_WEBHOOKS_PER_APP) {
      throw new ApiError('validation_failed', `an app may have at most ${MAX_WEBHOOKS_PER_APP} webhooks; delete one first (one endpoint can take many event types)`);
    }
    await trx.insertInto('webhooks').values(row).execute();
  });
  return { webhook: webhookFromRow(row), secret };
}

/** The app's webhooks, oldest first (the order they were added in). */
export async function listWebhooks(store: Store, appId: string): Promise<WebhookRecord[]> {
  const rows = await store.db.selectFrom('webhooks').selectAll().where('app_id', '=', appId).orderBy('created_at').orderBy('id').execute();
  return rows.map(webhookFromRow);
}

/** One webhook of the app; another app's id is as unknown as a made-up one. */
export async function getWebhook(store: Store, appId: string, id: string): Promise<WebhookRecord | undefined> {
  const row = await store.db.selectFrom('webhooks').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  return row ? webhookFromRow(row) : undefined;
}

/**
 * Changes a webhook's URL, events, description or state. `disabled: false`
 * enables it again and forgets its run of failures, so it gets a full 24 h
 * before it can be disabled again; `disabled: true` pauses it.
 */
export async function updateWebhook(deps: WebhookDeps, appId: string, id: string, patch: UpdateWebhookBody): Promise<WebhookRecord | undefined> {
  const now = Date.now();
  const set: Updateable<WebhooksTable> = { updated_at: now };
  if (patch.events !== undefined) set.events = JSON.stringify(normaliseEventFilter(patch.events));
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.disabled === true) set.disabled_at = now;
  if (patch.disabled === false) Object.assign(set, { disabled_at: null, failing_since: null });
  // An unknown id is a 404 before the URL is judged: the caller learns the right thing first.
  const existing = await getWebhook(deps.store, appId, id);
  if (!existing) return undefined;
  if (patch.url !== undefined) set.url = await checkWebhookUrl(patch.url, deps.webhookUrls);
  // Pausing a paused webhook keeps the first instant, as revoking a revoked key does.
  if (patch.disabled === true && existing.disabledAt !== null) delete set.disabled_at;
  await deps.store.db.updateTable('webhooks').set(set).where('app_id', '=', appId).where('id', '=', id).execute();
  return getWebhook(deps.store, appId, id);
}

/**
 * Deletes a webhook and every row the outbox holds for it: its pending
 * deliveries must not go out after it is gone, and its log can no longer be read.
 */
export async function deleteWebhook(store: Store, appId: string, id: string): Promise<WebhookRecord | undefined> {
  return store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('webhooks').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    await trx.deleteFrom('outbox').where('app_id', '=', appId).where('target_kind', '=', 'webhook').where('target_id', '=', id).execute();
    await trx.deleteFrom('webhooks').where('app_id', '=', appId).where('id', '=', id).execute();
    return webhookFromRow(row);
  });
}

/**
 * Gives a webhook a new secret; the current one keeps signing beside it for
 * 24 h (both signatures go in `webhook-signature`), so the receiver can
 * switch without dropping a delivery. A second rotation within the window
 * drops the oldest secret: only the two latest ever sign.
 */
export async function rotateWebhookSecret(store: Store, appId: string, id: string): Promise<{ webhook: WebhookRecord; secret: string } | undefined> {
  const row = await store.db.selectFrom('webhooks').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const now = Date.now();
  const secret = newSigningSecret();
  const set = {
    secret: store.secrets.seal(secret, webhookSecretOwner(appId, id)),
    // The sealed value moves as it is: it is bound to this webhook, not to the column.
    previous_secret: row.secret,
    previous_secret_until: now + SECRET_ROTATION_OVERLAP_MS,
    updated_at: now,
  };
  // Compare-and-set on the secret: of two rotations at once, the loser rotates again over the winner's,
  // so each answer's secret is one of the two that sign (never one overwritten unseen).
  const result = await store.db.updateTable('webhooks').set(set).where('app_id', '=', appId).where('id', '=', id).where('secret', '=', row.secret).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return rotateWebhookSecret(store, appId, id);
  return { webhook: webhookFromRow({ ...row, ...set }), secret };
}
