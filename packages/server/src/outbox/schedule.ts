/** When failed deliveries are tried again, and for how long. */
export interface RetrySchedule {
  /** The wait after the 1st, 2nd, … failure; the last one repeats. */
  delaysMs: readonly number[];
  /** A delivery still failing this long after its first attempt is given up (and an endpoint failing this long is disabled). */
  windowMs: number;
  /** Each wait is drawn from ±`jitter` of itself (0.2: 80–120 %), so endpoints that failed together do not retry together. */
  jitter: number;
}

/** About 5 s → 30 s → 2 min → 5 min → 15 min → 30 min → 1 h, then hourly, for 24 h. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: [5_000, 30_000, 120_000, 300_000, 900_000, 1_800_000, 3_600_000],
  windowMs: 24 * 3_600_000,
  jitter: 0.2,
};

/** The wait before the next attempt after `failures` failed ones (1 = the first failure). */
export function retryDelay(schedule: RetrySchedule, failures: number, random: () => number = Math.random): number {
  const { delaysMs } = schedule;
  const base = delaysMs[Math.min(Math.max(failures, 1), delaysMs.length) - 1] ?? 0;
  const spread = base * schedule.jitter;
  return Math.max(0, Math.round(base - spread + 2 * spread * random()));
}

/**
 * Whether a delivery that has failed `failures` times has used the whole
 * window: the schedule's waits so far (without jitter) add up past it. With
 * the default that is the 30th failure, about 24 h after the first. Counting
 * waits rather than the row's age means a delivery held back behind another
 * in its lane still gets its full 24 h once its own turn comes.
 */
export function scheduleSpent(schedule: RetrySchedule, failures: number): boolean {
  let elapsed = 0;
  for (let k = 1; k <= failures; k += 1) elapsed += schedule.delaysMs[Math.min(k, schedule.delaysMs.length) - 1] ?? 0;
  return elapsed > schedule.windowMs;
}

/** A schedule whose durations are all `scale` times the default's (tests shrink 5 s to 50 ms with 0.01). */
export function scaledSchedule(scale: number): RetrySchedule {
  return {
    delaysMs: DEFAULT_RETRY_SCHEDULE.delaysMs.map((d) => Math.max(1, Math.round(d * scale))),
    windowMs: Math.max(1, Math.round(DEFAULT_RETRY_SCHEDULE.windowMs * scale)),
    jitter: DEFAULT_RETRY_SCHEDULE.jitter,
  };
}
