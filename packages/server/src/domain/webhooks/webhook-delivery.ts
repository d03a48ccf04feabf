import { addEventSink } from '../events/event-sinks.js';
import { DEFAULT_RETRY_SCHEDULE, type OutboxWorkerOptions, startOutboxWorker } from '../../outbox/index.js';
import type { OutboundGuard } from '../../outbound/index.js';
import type { Store } from '../../store/store.js';
import { WEBHOOK_TIMEOUT_MS, webhookSender } from './webhook-sender.js';
import { WEBHOOK_TARGET } from './deliveries.js';
import { webhookEventSink } from './webhook-outbox.js';

/** How webhooks are delivered: the outbox worker's options and the attempt's time cap. */
export interface WebhookDeliveryOptions extends OutboxWorkerOptions {
  /** One attempt, DNS included (default 10 s). */
  timeoutMs?: number;
}

/** Time an attempt may take beyond its POST's cap: the endpoint's row read and the signing. */
const ATTEMPT_MARGIN_MS = 1000;

/** Webhook delivery running for one store. */
export interface WebhookDelivery {
  /** Looks for due deliveries now. */
  nudge(): void;
  /**
   * Stops sending (and gives back the leases of attempts cut short). Events
   * still committing meanwhile keep getting their deliveries written: the
   * sink stays as long as the store, so nothing committed is left out.
   */
  close(): Promise<void>;
}

/**
 * Starts webhook delivery on `store`: from now on every transaction writes
 * the deliveries of its events (for the apps' enabled webhooks that
 * subscribe to them) into the outbox before it commits, and a worker sends
 * them through `guard`.
 */
export function startWebhookDelivery(store: Store, guard: OutboundGuard, options: WebhookDeliveryOptions = {}, onError?: (error: unknown) => void): WebhookDelivery {
  const schedule = options.schedule ?? DEFAULT_RETRY_SCHEDULE;
  const sender = webhookSender(store, guard, { ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), disableAfterMs: schedule.windowMs, pausedRecheckMs: schedule.delaysMs[0] ?? 5_000 });
  // An attempt is the POST under its time cap plus the reads before it: a run starts a row only while its lease covers that.
  const attemptMs = options.attemptMs ?? (options.timeoutMs ?? WEBHOOK_TIMEOUT_MS) + ATTEMPT_MARGIN_MS;
  const worker = startOutboxWorker(store, WEBHOOK_TARGET, sender, { ...options, schedule, attemptMs }, onError);
  addEventSink(store, webhookEventSink(() => worker.nudge()));
  return {
    nudge: () => worker.nudge(),
    close: () => worker.close(),
  };
}
