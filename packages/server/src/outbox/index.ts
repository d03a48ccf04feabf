export { type ClaimedDelivery, type ClaimedRun, type ClaimLimits, claimDue, claimIn, claimRunsIn } from './claim.js';
export { type AttemptResult, dropPending, markDelivered, markFailed, markRetry, postpone, releaseLease } from './complete.js';
export { enqueue, type OutboxEntry } from './enqueue.js';
export { DEFAULT_RETRY_SCHEDULE, type RetrySchedule, retryDelay, scaledSchedule, scheduleSpent } from './schedule.js';
export { OUTBOX_RETENTION_MS, OUTBOX_SWEEP_INTERVAL_MS, sweepOutbox } from './sweep.js';
export { OUTBOX_DEFAULTS, type OutboxSender, type OutboxWorker, type OutboxWorkerOptions, type SendOutcome, startOutboxWorker } from './worker.js';
