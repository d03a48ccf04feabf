/** What a limiter says about one attempt. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A sliding-window limiter keyed by user (or any string): at most `limit`
 * attempts in any `windowMs`. Small and in memory, like the sessions; several
 * backend processes would share it through Redis.
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt for `key` when it is allowed. */
  take(key: string): RateDecision {
    const now = this.now();
    const since = now - this.windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((at) => at > since);
    if (hits.length >= this.limit) {
      this.#hits.set(key, hits);
      const oldest = hits[0] ?? now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)) };
    }
    hits.push(now);
    this.#hits.set(key, hits);
    if (this.#hits.size > 10_000) this.#sweep(since);
    return { allowed: true };
  }

  #sweep(since: number): void {
    for (const [key, hits] of this.#hits) if (!hits.some((at) => at > since)) this.#hits.delete(key);
  }
}
