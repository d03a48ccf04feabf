import { fork } from 'node:child_process';
import { once } from 'node:events';
import { cpuUse, databasePids, readCpu } from './cpu-use.mjs';
import { waitForQuiet } from './machine.mjs';
import { Histogram, round3 } from './stats.mjs';

const WORKER = new URL('./paced-get-worker.mjs', import.meta.url).pathname;

/**
 * A read benchmark's load: one separate process sending GETs at a steady
 * rate (see paced-get-worker.mjs), with the server's CPU over each window.
 * @param {{ url: string, store: 'sqlite' | 'postgres', env: Record<string, string>, serverPid: number | undefined, headers: Record<string, string> }} target
 */
export function startPacedGets(target) {
  const worker = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  /**
   * @param {string[]} paths
   * @param {number} rate
   * @param {number} seconds
   */
  const phase = async (paths, rate, seconds) => {
    const reply = once(worker, 'message');
    worker.send({ type: 'run', phase: { url: target.url, paths, headers: target.headers, rate, durationMs: seconds * 1000 } });
    const [message] = await reply;
    if (message.type !== 'result') throw new Error(`load worker failed: ${message.message}`);
    return message.result;
  };
  return {
    /**
     * An unmeasured warm-up, then a measured window on a quiet machine.
     * @param {{ paths: string[], rate: number, seconds: number, warmup: number }} plan
     */
    async measure({ paths, rate, seconds, warmup }) {
      if (warmup > 0) await phase(paths, rate, warmup);
      await waitForQuiet({ threshold: 0.5, maxSeconds: 30 });
      const dbPids = await databasePids(target.store, target.env);
      const before = readCpu({ serverPid: target.serverPid, dbPids, loadPids: [/** @type {number} */ (worker.pid)] });
      const result = await phase(paths, rate, seconds);
      const use = cpuUse(before, readCpu({ serverPid: target.serverPid, dbPids, loadPids: [/** @type {number} */ (worker.pid)] }));
      const latency = Histogram.from(result.latencyUs);
      const perRequest = (/** @type {number | undefined} */ s) => (s === undefined || result.completed === 0 ? null : round3((s * 1e6) / result.completed));
      return {
        requests: result.total,
        completed: result.completed,
        errors: result.errors,
        ratePerSecond: round3(result.completed / seconds),
        latencyMs: latency.summaryMs(),
        generatorMaxLagMs: round3(result.maxLagMs),
        serverCpuUsPerRequest: perRequest(use.serverCpuSeconds),
        postgresCpuUsPerRequest: perRequest(use.postgresCpuSeconds),
        otherProcessesCpuPercentOfOneCore: use.otherCpuSeconds === undefined ? null : round3((use.otherCpuSeconds / seconds) * 100),
      };
    },
    async stop() {
      if (worker.exitCode !== null) return;
      const exited = once(worker, 'exit');
      worker.send({ type: 'exit' });
      await exited;
    },
  };
}

/** @typedef {Awaited<ReturnType<ReturnType<typeof startPacedGets>['measure']>>} PacedMeasurement */

/**
 * RESULTS.md rows of one measured kind of request against a p99 bar.
 * @param {string} label
 * @param {PacedMeasurement} m
 * @param {number} p99BarMs
 */
export function pacedFigures(label, m, p99BarMs) {
  const errors = Object.values(m.errors).reduce((a, n) => a + n, 0);
  return [
    { figure: `${label}: p50 / p99 at ${m.ratePerSecond} req/s`, value: `${m.latencyMs.p50} / ${m.latencyMs.p99} ms`, bar: `p99 ≤ ${p99BarMs} ms`, met: m.latencyMs.p99 <= p99BarMs && errors === 0 },
    ...(m.serverCpuUsPerRequest === null ? [] : [{ figure: `${label}: server CPU per request`, value: `${m.serverCpuUsPerRequest} µs` }]),
    ...(m.postgresCpuUsPerRequest === null ? [] : [{ figure: `${label}: PostgreSQL CPU per request`, value: `${m.postgresCpuUsPerRequest} µs` }]),
    ...(errors === 0 ? [] : [{ figure: `${label}: errors`, value: JSON.stringify(m.errors) }]),
  ];
}
