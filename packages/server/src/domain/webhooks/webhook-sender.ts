import { performance } from 'node:perf_hooks';
import type { OutboxSender, SendOutcome } from '../../outbox/index.js';
import { OutboundError, type OutboundGuard } from '../../outbound/index.js';
import type { Store } from '../../store/store.js';
import { recordFailure, recordSuccess } from './endpoint-health.js';
import { signedHeaders } from './signature.js';
import { webhookSecretOwner } from './webhook-secrets.js';

/** How a webhook attempt is made. */
export interface WebhookSendOptions {
  /** The whole attempt, DNS included (default 10 s). */
  timeoutMs?: number;
  /** An endpoint failing this long is disabled (the retry schedule's window, 24 h). */
  disableAfterMs: number;
  /** How often the deliveries of a paused endpoint are looked at again (the schedule's first wait, 5 s). */
  pausedRecheckMs: number;
}

/** The receiver's answer is not read, only drained: a small cap keeps a chatty receiver from costing memory. */
const RESPONSE_CAP_BYTES = 4096;

/** The default time an attempt may take. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * The secrets a delivery is signed with: the current one, and while a
 * rotation's grace lasts the one before it, so a receiver that holds either
 * verifies.
 */
function secretsOf(store: Store, appId: string, id: string, row: { secret: string; previous_secret: string | null; previous_secret_until: number | null }, now: number): string[] {
  const owner = webhookSecretOwner(appId, id);
  const secrets = [store.secrets.open(row.secret, owner)];
  if (row.previous_secret !== null && row.previous_secret_until !== null && row.previous_secret_until > now) {
    secrets.push(store.secrets.open(row.previous_secret, owner));
  }
  return secrets;
}

/**
 * Sends webhook deliveries: a signed POST (Standard Webhooks) through the
 * outbound guard, which judges the URL's addresses at every attempt (DNS
 * can change between a webhook's creation and its hundredth delivery). No
 * redirect is followed: the endpoint is the URL the app registered. Any 2xx
 * is a delivery; anything else, or no answer, is a failure to retry.
 */
export function webhookSender(store: Store, guard: OutboundGuard, options: WebhookSendOptions): OutboxSender {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return {
    async send(delivery, signal): Promise<SendOutcome> {
      if (signal.aborted) return { kind: 'aborted' };
      const hook = await store.db
        .selectFrom('webhooks')
        .select(['url', 'secret', 'previous_secret', 'previous_secret_until', 'disabled_at'])
        .where('app_id', '=', delivery.appId)
        .where('id', '=', delivery.targetId)
        .executeTakeFirst();
      if (!hook) return { kind: 'gone' };
      // Paused by the app (one disabled for failing had its deliveries given up then): they wait, and go once it is enabled.
      if (hook.disabled_at !== null) return { kind: 'held', until: Date.now() + options.pausedRecheckMs };
      const now = Date.now();
      let secrets: string[];
      try {
        secrets = secretsOf(store, delivery.appId, delivery.targetId, hook, now);
      } catch {
        // A secret sealed under another CHATSDK_SECRET_KEY: retried (the operator may put the key back), and logged.
        return { kind: 'failed', result: { statusCode: null, error: 'the signing secret cannot be opened (CHATSDK_SECRET_KEY changed?)', durationMs: 0 } };
      }
      const headers = { 'content-type': 'application/json', ...signedHeaders(secrets, delivery.eventId, delivery.payload, now) };
      const started = performance.now();
      try {
        const response = await guard.fetch(hook.url, {
          method: 'POST',
          headers,
          body: delivery.payload,
          timeoutMs,
          maxBytes: RESPONSE_CAP_BYTES,
          overflow: 'truncate',
          maxRedirects: 0,
          signal,
        });
        const result = { statusCode: response.status, durationMs: performance.now() - started };
        if (response.status >= 200 && response.status < 300) return { kind: 'delivered', result: { ...result, error: null } };
        return { kind: 'failed', result: { ...result, error: `the endpoint answered ${response.status}` } };
      } catch (error) {
        if (signal.aborted) return { kind: 'aborted' };
        if (!(error instanceof OutboundError)) throw error;
        return { kind: 'failed', result: { statusCode: null, error: `${error.reason}: ${error.message}`, durationMs: performance.now() - started } };
      }
    },
    async settled(trx, delivery, outcome) {
      if (outcome.kind === 'delivered') await recordSuccess(trx, delivery.appId, delivery.targetId);
      else if (outcome.kind === 'failed') await recordFailure(trx, delivery.appId, delivery.targetId, options.disableAfterMs);
    },
  };
}
