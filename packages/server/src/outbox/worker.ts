import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { type ClaimedDelivery, type ClaimedRun, claimRunsIn } from './claim.js';
import { type AttemptResult, dropPending, markDelivered, markFailed, markRetry, postpone, releaseAllLeases, releaseLease } from './complete.js';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule, retryDelay, scheduleSpent } from './schedule.js';

/** What became of one attempt, as the sender saw it. */
export type SendOutcome =
  /** The receiver took it. */
  | { kind: 'delivered'; result: AttemptResult }
  /** It did not: tried again on the schedule, or given up once the schedule has run out. */
  | { kind: 'failed'; result: AttemptResult }
  /** Not to be tried again. */
  | { kind: 'given_up'; result: AttemptResult }
  /** Not sent now and no attempt counted (its target is paused): looked at again at `until`. */
  | { kind: 'held'; until: number }
  /** Its target no longer exists: its pending deliveries go. */
  | { kind: 'gone' }
  /** The worker is stopping: the lease is given back, no attempt counted. */
  | { kind: 'aborted' };

/** Sends deliveries of one target kind (webhooks; push later). */
export interface OutboxSender {
  /** Makes one attempt; never throws for a receiver's failure, only for its own (the store). */
  send(delivery: ClaimedDelivery, signal: AbortSignal): Promise<SendOutcome>;
  /**
   * Writes, in `trx` beside the recorded outcome, what the outcome means for
   * its target (a webhook's run of failures, its disabling).
   */
  settled?(trx: Kysely<Database>, delivery: ClaimedDelivery, outcome: SendOutcome): Promise<void>;
}

/** How a worker runs; every field has a default. */
export interface OutboxWorkerOptions {
  /** Between looks at the table when nothing nudges (default 250 ms). */
  pollMs?: number;
  /** Deliveries in flight to one target at most, across every process (default 4). */
  perTarget?: number;
  /** Deliveries in flight in this process at most (default 64). */
  maxInFlight?: number;
  /** How long a claim holds a row (default 30 s): longer than an attempt may take, so a live worker never loses its row. */
  leaseMs?: number;
  schedule?: RetrySchedule;
  /**
   * Rows of one lane claimed together and sent one after another without a
   * claim between them (default 16): a backlog in one lane costs one claim
   * per run instead of one per row.
   */
  runLength?: number;
  /**
   * The longest one attempt may take (default a third of `leaseMs`): a run's
   * next row is started only while its lease outlasts one more attempt, and
   * the rest is given back otherwise, so no row is sent after its lease ran out.
   */
  attemptMs?: number;
}

/** The defaults of `OutboxWorkerOptions`. */
export const OUTBOX_DEFAULTS = { pollMs: 250, perTarget: 4, maxInFlight: 64, leaseMs: 30_000, runLength: 16 } as const;

/** A worker's loop, started and stopped with the server. */
export interface OutboxWorker {
  /** Looks at the table now (a commit just wrote rows, or a delivery finished). */
  nudge(): void;
  /** Stops claiming, aborts the attempts in flight, gives their leases back. */
  close(): Promise<void>;
}

/**
 * Starts a worker for deliveries of `targetKind`: it claims due rows (see
 * `claimDue` for order and sharing), hands each to `sender`, and records the
 * outcome with its next claim. A failure waits on the retry schedule; a row whose schedule ran
 * out is given up. `onError` hears the store's failures (the loop goes on).
 */
export function startOutboxWorker(
  store: Store,
  targetKind: string,
  sender: OutboxSender,
  options: OutboxWorkerOptions = {},
  onError: (error: unknown) => void = () => {},
): OutboxWorker {
  const pollMs = options.pollMs ?? OUTBOX_DEFAULTS.pollMs;
  const limits = {
    perTarget: options.perTarget ?? OUTBOX_DEFAULTS.perTarget,
    leaseMs: options.leaseMs ?? OUTBOX_DEFAULTS.leaseMs,
    runLength: options.runLength ?? OUTBOX_DEFAULTS.runLength,
  };
  const attemptMs = options.attemptMs ?? limits.leaseMs / 3;
  const maxInFlight = options.maxInFlight ?? OUTBOX_DEFAULTS.maxInFlight;
  const schedule = options.schedule ?? DEFAULT_RETRY_SCHEDULE;
  const stop = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let looking = false;
  let again = false;

  /** Attempts that have finished and wait to be recorded by the next look, in its transaction. */
  const finished: Array<{ delivery: ClaimedDelivery; outcome: SendOutcome }> = [];

  async function record(trx: Kysely<Database>, delivery: ClaimedDelivery, outcome: SendOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'delivered':
        return markDelivered(trx, delivery, outcome.result);
      case 'failed': {
        const failures = delivery.attempts + 1;
        if (scheduleSpent(schedule, failures)) return markFailed(trx, delivery, outcome.result);
        return markRetry(trx, delivery, outcome.result, Date.now() + retryDelay(schedule, failures));
      }
      case 'given_up':
        return markFailed(trx, delivery, outcome.result);
      case 'gone':
        return dropPending(trx, targetKind, delivery.targetId);
      case 'held':
        return postpone(trx, delivery, outcome.until);
      case 'aborted':
        return releaseLease(trx, delivery);
    }
  }

  /**
   * Sends a run's rows in turn. The first that is not delivered ends the run:
   * the rows behind it are given back unsent (no attempt counted), so a
   * failing row holds back its lane as a run of one would.
   */
  async function run(claimed: ClaimedRun): Promise<void> {
    for (let i = 0; i < claimed.length; i += 1) {
      const delivery = claimed[i]!;
      // Stopping, or too little lease left for one more attempt: this row and the rest go back.
      if (i > 0 && (stop.signal.aborted || Date.now() + attemptMs > delivery.leaseUntil)) return release(claimed.slice(i));
      let sent: SendOutcome;
      try {
        sent = await sender.send(delivery, stop.signal);
      } catch (error) {
        // Its lease runs out and it is claimed again: at least once, never lost. The rest go back now.
        onError(error);
        return release(claimed.slice(i + 1));
      }
      // An attempt cut short by the shutdown is not the receiver's failure.
      const outcome: SendOutcome = stop.signal.aborted && sent.kind === 'failed' ? { kind: 'aborted' } : sent;
      finished.push({ delivery, outcome });
      if (outcome.kind !== 'delivered') return release(claimed.slice(i + 1));
    }
  }

  /** Gives back the leases of a run's unsent rows, with the next record. */
  function release(rest: readonly ClaimedDelivery[]): void {
    for (const delivery of rest) finished.push({ delivery, outcome: { kind: 'aborted' } });
  }

  /**
   * One transaction: the attempts finished since the last one are recorded,
   * then due rows are claimed. On SQLite every commit is an fsync; a burst of
   * deliveries then costs one per look instead of two per delivery.
   */
  async function recordAndClaim(): Promise<ClaimedRun[]> {
    const batch = finished.splice(0);
    const capacity = stop.signal.aborted ? 0 : maxInFlight - inFlight.size;
    if (batch.length === 0 && capacity <= 0) return [];
    try {
      return await store.db.transaction().execute(async (trx) => {
        for (const { delivery, outcome } of batch) {
          await record(trx, delivery, outcome);
          await sender.settled?.(trx, delivery, outcome);
        }
        return claimRunsIn(trx, store.kind, targetKind, { ...limits, capacity });
      });
    } catch (error) {
      // Not recorded: the leases run out and those deliveries are sent again (a repeat, never a loss).
      onError(error);
      return [];
    }
  }

  async function look(): Promise<void> {
    if (looking) {
      again = true;
      return;
    }
    looking = true;
    clearTimeout(timer);
    try {
      do {
        again = false;
        const claimed = await recordAndClaim();
        for (const lane of claimed) {
          const attempt = run(lane).finally(() => {
            inFlight.delete(attempt);
            // Its outcome waits to be recorded, its lane's next row may be due, and a slot is free.
            void look();
          });
          inFlight.add(attempt);
        }
      } while (again && (!stop.signal.aborted || finished.length > 0));
    } finally {
      looking = false;
      if (!stop.signal.aborted) {
        timer = setTimeout(() => void look(), pollMs);
        timer.unref();
      }
    }
  }

  // SQLite has one process, this one: a lease left in the table is a dead process's, to take back at once.
  const ready = store.kind === 'sqlite' ? releaseAllLeases(store.db, targetKind).catch(onError) : Promise.resolve();
  void ready.then(look);
  return {
    nudge() {
      void look();
    },
    async close() {
      stop.abort();
      await ready;
      clearTimeout(timer);
      while (looking || inFlight.size > 0) {
        await Promise.allSettled([...inFlight]);
        if (looking) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // The last outcomes (given-back leases mostly) are written before the store closes.
      if (finished.length > 0) await look();
    },
  };
}
