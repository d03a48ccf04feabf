import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Histogram } from './stats.mjs';

const WORKER = new URL('./load-worker.mjs', import.meta.url).pathname;

/**
 * The merged outcome of one phase over every load process.
 * @typedef {object} LoadResult
 * @property {number} completed   requests answered with the expected status inside the window
 * @property {Record<string, number>} errors  other statuses and network error codes, with counts
 * @property {number} seconds     the window
 * @property {Histogram} latencyUs  HTTP latency of the completed requests, in microseconds
 */

/**
 * Load generator processes (child_process.fork), kept for several phases so
 * that their JIT is warm after the warm-up.
 * @param {number} processes
 */
export async function startLoad(processes) {
  const workers = Array.from({ length: processes }, () => fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  return {
    /** The load processes, for their CPU figures. */
    pids: workers.map((w) => /** @type {number} */ (w.pid)),
    /**
     * Runs a closed loop of `concurrency` requests in flight for `seconds`,
     * split over the processes.
     * @param {Omit<import('./load-worker.mjs').Phase, 'concurrency' | 'durationMs' | 'tag'> & { concurrency: number, seconds: number }} phase
     * @returns {Promise<LoadResult>}
     */
    async run({ seconds, concurrency, ...rest }) {
      const results = await Promise.all(
        workers.map(async (worker, i) => {
          const share = Math.floor(concurrency / workers.length) + (i < concurrency % workers.length ? 1 : 0);
          if (share === 0) return undefined;
          const reply = once(worker, 'message');
          // One token per loop: each process gets every n-th token, so that the loops of all processes hold different ones.
          const tokens = rest.tokenPerLoop ? rest.tokens.filter((_, t) => t % workers.length === i) : rest.tokens;
          worker.send({ type: 'run', phase: { ...rest, tokens, concurrency: share, durationMs: seconds * 1000, tag: `${process.pid}.${i}.${Date.now()}` } });
          const [message] = await reply;
          if (message.type !== 'result') throw new Error(`load worker failed: ${message.message}`);
          return message.result;
        }),
      );
      const merged = { completed: 0, errors: /** @type {Record<string, number>} */ ({}), seconds, latencyUs: new Histogram() };
      for (const r of results) {
        if (!r) continue;
        merged.completed += r.completed;
        for (const [key, n] of Object.entries(r.errors)) merged.errors[key] = (merged.errors[key] ?? 0) + /** @type {number} */ (n);
        merged.latencyUs.merge(Histogram.from(r.latencyUs));
      }
      return merged;
    },
    async stop() {
      await Promise.all(
        workers.map(async (worker) => {
          if (worker.exitCode !== null) return;
          const exited = once(worker, 'exit');
          worker.send({ type: 'exit' });
          await exited;
        }),
      );
    },
  };
}
