import type { Store } from '../store/index.js';

/** First wait between attempts; doubles up to the cap. */
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/**
 * Waits until the store answers. A database that is unreachable at boot
 * (still starting, failing over, on a host not up yet) is retried with
 * backoff, each wait said on stderr, instead of the process exiting: a
 * supervisor restarting it in a loop would do the same, only noisier. Any
 * other failure (bad credentials, no such database) is not going to pass by
 * itself and is thrown at once.
 */
export async function waitForStore(store: Store, say: (line: string) => void, sleep = defaultSleep): Promise<void> {
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await store.ping();
      if (attempt > 1) say(`database reachable after ${attempt} attempts (${store.description})`);
      return;
    } catch (error) {
      if (!store.dialect.isUnavailable(error)) throw error;
      const why = error instanceof Error ? error.message : String(error);
      say(`database unreachable (${why}); retrying in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
