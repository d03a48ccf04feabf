import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { randomId } from '../../src/domain/common/ids.js';
import { newSigningSecret } from '../../src/domain/webhooks/signature.js';
import { webhookSecretOwner } from '../../src/domain/webhooks/webhook-secrets.js';
import type { Store } from '../../src/store/store.js';

/** A webhook a test made, with its secret. */
export interface TestWebhook {
  id: string;
  secret: string;
}

/** Inserts a webhook straight into the store (as the API does: its secret sealed by the store's box). */
export async function insertWebhook(
  store: Store,
  appId: string,
  url: string,
  options: { events?: string[]; previousSecret?: string; previousSecretUntil?: number } = {},
): Promise<TestWebhook> {
  const id = randomId('wh');
  const secret = newSigningSecret();
  const owner = webhookSecretOwner(appId, id);
  const now = Date.now();
  await store.db
    .insertInto('webhooks')
    .values({
      app_id: appId,
      id,
      url,
      events: JSON.stringify(options.events ?? ['*']),
      description: '',
      secret: store.secrets.seal(secret, owner),
      previous_secret: options.previousSecret === undefined ? null : store.secrets.seal(options.previousSecret, owner),
      previous_secret_until: options.previousSecretUntil ?? null,
      failing_since: null,
      disabled_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { id, secret };
}

/**
 * Which of `secrets` signed a request, by Standard Webhooks' rule, written
 * here independently of the server's signing code: HMAC-SHA256 of
 * `id.timestamp.body` with the base64 key after `whsec_`, compared in
 * constant time with each `v1,` entry of the header.
 */
export function signersOf(headers: IncomingHttpHeaders, raw: string, secrets: readonly string[]): string[] {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const offered = String(headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'));
  return secrets.filter((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${raw}`).digest();
    return offered.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
  });
}

/** The outbox rows of a webhook, oldest first. */
export async function outboxOf(store: Store, webhookId: string) {
  return store.db.selectFrom('outbox').selectAll().where('target_id', '=', webhookId).orderBy('seq').execute();
}
