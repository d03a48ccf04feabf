import { scaledSchedule } from '../../outbox/index.js';
import type { WebhookDeliveryOptions } from './webhook-delivery.js';

/** A positive number from the environment, or a plain error naming the variable. */
function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${value}"`);
  return n;
}

/**
 * Webhook delivery settings from the environment, for operators and for
 * tests that run real server processes:
 * `CHATSDK_WEBHOOK_CONCURRENCY` (deliveries in flight per endpoint, 4),
 * `CHATSDK_WEBHOOK_TIMEOUT_MS` (10000), `CHATSDK_OUTBOX_POLL_MS` (250),
 * `CHATSDK_OUTBOX_LEASE_MS` (30000) and `CHATSDK_WEBHOOK_TIME_SCALE` (1: the
 * retry schedule and its 24 h window multiplied by it; drills shrink it).
 */
export function webhookDeliveryFromEnv(env: NodeJS.ProcessEnv): WebhookDeliveryOptions {
  const perTarget = positive('CHATSDK_WEBHOOK_CONCURRENCY', env.CHATSDK_WEBHOOK_CONCURRENCY);
  const timeoutMs = positive('CHATSDK_WEBHOOK_TIMEOUT_MS', env.CHATSDK_WEBHOOK_TIMEOUT_MS);
  const pollMs = positive('CHATSDK_OUTBOX_POLL_MS', env.CHATSDK_OUTBOX_POLL_MS);
  const leaseMs = positive('CHATSDK_OUTBOX_LEASE_MS', env.CHATSDK_OUTBOX_LEASE_MS);
  const scale = positive('CHATSDK_WEBHOOK_TIME_SCALE', env.CHATSDK_WEBHOOK_TIME_SCALE);
  return {
    ...(perTarget !== undefined ? { perTarget: Math.floor(perTarget) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(pollMs !== undefined ? { pollMs } : {}),
    ...(leaseMs !== undefined ? { leaseMs } : {}),
    ...(scale !== undefined ? { schedule: scaledSchedule(scale) } : {}),
  };
}
