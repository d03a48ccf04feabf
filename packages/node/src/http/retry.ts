/**
 * When a call is sent again, and after how long. Only calls that may be
 * carried out twice with the same effect are retried: the server may have
 * done the work of an attempt whose answer was lost.
 */

/** Statuses that say "not now": a proxy without an upstream, the server shutting down or overloaded. */
const RETRIED_STATUSES = new Set([502, 503, 504]);

/** True when an answer with this status is worth one more attempt. */
export function isRetriedStatus(status: number): boolean {
  return RETRIED_STATUSES.has(status);
}

/** The first retry waits about this long; each next one twice as long. */
const BASE_DELAY_MS = 250;
/** No wait past this, whatever the attempt or the server's `Retry-After`. */
const MAX_DELAY_MS = 5_000;

/**
 * Milliseconds to wait before retry number `retry` (1 for the first): an
 * exponential step, jittered between its half and its whole, so that many
 * backends hit by the same outage do not come back in step. A `Retry-After` in seconds, when the
 * server sent one, is a floor.
 */
export function retryDelay(retry: number, retryAfter: string | null, random: () => number = Math.random): number {
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (retry - 1));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : 0;
  return Math.min(MAX_DELAY_MS, Math.max(jittered, seconds * 1000));
}
