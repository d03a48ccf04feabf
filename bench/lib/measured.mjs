// One measured window of closed-loop load on a quiet machine, and the figures
// of such windows: what `tokens` and `send` share (send-members predates it).
import { cpuUse, databasePids, readCpu } from './cpu-use.mjs';
import { performance } from 'node:perf_hooks';
import { processCpuSeconds, waitForQuiet } from './machine.mjs';
import { round3 } from './stats.mjs';

/** Measurements of one window before a disturbed one is kept (and marked). */
const ATTEMPTS = 5;

/**
 * @template T
 * @typedef {{ result: T, disturbed: boolean, elapsedSeconds: number, moreServersCpuSeconds: number[] } & ReturnType<typeof cpuUse>} Measured
 */
/** @typedef {Measured<import('./load.mjs').LoadResult>} Measurement */

/**
 * Waits for a quiet machine, runs `phase` with the CPU of the server, the
 * store's PostgreSQL processes and the load read before and after; runs it
 * again (up to 5 times) when other processes took more than `maxDisturbance`
 * of a core meanwhile, then keeps it, marked disturbed. `moreServers` are
 * further server processes (a cluster's): their CPU is reported one by one
 * and not taken for disturbance.
 * @template T
 * @param {{
 *   store: 'sqlite' | 'postgres', env: Record<string, string>, serverPid: number | undefined, loadPids: number[],
 *   moreServers?: number[], maxDisturbance: number, log: (m: string) => void, phase: () => Promise<T>,
 * }} o
 * @returns {Promise<Measured<T>>}
 */
export async function measureQuietly({ store, env, serverPid, loadPids, moreServers = [], maxDisturbance, log, phase }) {
  for (let attempt = 1; ; attempt += 1) {
    const quiet = await waitForQuiet({ threshold: Math.min(maxDisturbance, 0.5) });
    if (!quiet.quiet) log(`the machine is busy (${round3(quiet.busyCores)} cores used by others); measuring anyway`);
    const before = readCpu({ serverPid, dbPids: await databasePids(store, env), loadPids });
    const serversBefore = moreServers.map((pid) => processCpuSeconds(pid) ?? 0);
    const started = performance.now();
    const result = await phase();
    const elapsedSeconds = (performance.now() - started) / 1000;
    const moreServersCpuSeconds = moreServers.map((pid, i) => (processCpuSeconds(pid) ?? 0) - (serversBefore[i] ?? 0));
    // The pool may have opened backends meanwhile: those listed after count from 0, which is what they used.
    const cpu = cpuUse(before, readCpu({ serverPid, dbPids: await databasePids(store, env), loadPids }));
    if (cpu.otherCpuSeconds !== undefined) cpu.otherCpuSeconds -= moreServersCpuSeconds.reduce((a, x) => a + x, 0);
    const disturbance = (cpu.otherCpuSeconds ?? 0) / elapsedSeconds;
    const measured = { result, ...cpu, elapsedSeconds, moreServersCpuSeconds };
    if (disturbance <= maxDisturbance) return { ...measured, disturbed: false };
    if (attempt === ATTEMPTS) {
      log(`other processes used ${round3(disturbance)} of a core during the window; kept, marked disturbed, after ${ATTEMPTS} attempts`);
      return { ...measured, disturbed: true };
    }
    log(`other processes used ${round3(disturbance)} of a core during the window; measuring it again`);
  }
}

/**
 * The figures of one closed-loop window: rate, HTTP latency, errors, CPU per
 * completed request of the server, PostgreSQL and the load processes.
 * @param {Measurement} m
 */
export function loadFigures(m) {
  const { result } = m;
  const latency = result.latencyUs;
  const perCall = (/** @type {number | undefined} */ seconds) => (seconds === undefined || result.completed === 0 ? null : round3((seconds * 1e6) / result.completed));
  return {
    completed: result.completed,
    seconds: result.seconds,
    perSecond: round3(result.completed / result.seconds),
    errors: result.errors,
    errorCount: Object.values(result.errors).reduce((a, n) => a + n, 0),
    latencyMs: latency.summaryMs(),
    serverCpuUsPerCall: perCall(m.serverCpuSeconds),
    serverCpuPercentOfOneCore: m.serverCpuSeconds === undefined ? null : round3((m.serverCpuSeconds / result.seconds) * 100),
    postgresCpuUsPerCall: perCall(m.postgresCpuSeconds),
    loadGeneratorCpuUsPerCall: perCall(m.loadCpuSeconds),
    machineBusyPercent: m.machineBusy === undefined ? null : round3(m.machineBusy * 100),
    otherProcessesCpuPercentOfOneCore: round3(((m.otherCpuSeconds ?? 0) / m.elapsedSeconds) * 100),
    softirqCpuPercentOfOneCore: m.softirqCpuSeconds === undefined ? null : round3((m.softirqCpuSeconds / result.seconds) * 100),
    disturbed: m.disturbed,
  };
}

/**
 * Reads a positive number option; `--max-disturbance off` is no limit.
 * @param {Record<string, string | boolean | undefined>} raw
 * @param {string} name
 */
export function positiveOption(raw, name) {
  const value = raw[name] === 'off' && name === 'max-disturbance' ? Infinity : Number(raw[name]);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** The `--max-disturbance` option every measuring scenario declares (util.parseArgs form). */
export const MAX_DISTURBANCE_OPTION = {
  type: 'string',
  default: '0.25',
  description: "share of one core other processes may use during the window before it is measured again (up to 5 times); 'off' to accept any",
};
