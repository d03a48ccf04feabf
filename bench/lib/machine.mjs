import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc's CPU times (almost always 100 on Linux). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** @typedef {ReturnType<typeof machine>} Machine */

/** What the figures were measured on. */
export function machine() {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

/** @param {Machine} m */
export function describeMachine(m) {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}`;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat;
 * undefined when the process is gone or /proc is not there.
 * @param {number} pid
 */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime: fields 14 and 15
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by each of `pids` still alive, keyed by pid, so that
 * a before/after difference counts each process once.
 * @param {number[]} pids
 * @returns {Map<number, number>}
 */
export function cpuSecondsOf(pids) {
  const found = new Map();
  for (const pid of pids) {
    const seconds = processCpuSeconds(pid);
    if (seconds !== undefined) found.set(pid, seconds);
  }
  return found;
}

/**
 * Seconds of CPU a group of processes used between two `cpuSecondsOf` readings.
 * @param {Map<number, number>} before
 * @param {Map<number, number>} after
 */
export function cpuSecondsBetween(before, after) {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/**
 * Busy and total CPU seconds of the whole machine (all cores) so far, from
 * /proc/stat, and of them the seconds in softirq: the kernel's network
 * processing, which no process is charged for (on loopback, mostly the
 * bench's own traffic).
 */
export function machineCpuSeconds() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    const total = values.reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / TICKS, total: total / TICKS, softirq: (values[6] ?? 0) / TICKS };
  } catch {
    return undefined;
  }
}

/**
 * Waits until the machine is quiet — under `threshold` of one core busy over a
 * one-second window — so that other work (a test run, a build) does not share
 * the cores with a measurement. Gives up after `maxSeconds`.
 * @param {{ threshold?: number, maxSeconds?: number }} [options]
 * @returns {Promise<{ quiet: boolean, waitedSeconds: number, busyCores: number }>}
 */
export async function waitForQuiet({ threshold = 0.15, maxSeconds = 120 } = {}) {
  const start = Date.now();
  let busyCores = NaN;
  for (;;) {
    const before = machineCpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = machineCpuSeconds();
    if (!before || !after) return { quiet: true, waitedSeconds: 0, busyCores: NaN };
    const cores = (after.total - before.total) > 0 ? ((after.busy - before.busy) / (after.total - before.total)) * os.availableParallelism() : 0;
    busyCores = cores;
    const waitedSeconds = (Date.now() - start) / 1000;
    if (cores < threshold) return { quiet: true, waitedSeconds, busyCores };
    if (waitedSeconds >= maxSeconds) return { quiet: false, waitedSeconds, busyCores };
  }
}

/**
 * A process's resident memory now and at its peak, in bytes, from
 * /proc/<pid>/status (VmRSS, VmHWM); undefined when the process is gone.
 * @param {number} pid
 */
export function processMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (/** @type {string} */ field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * The soft limit on open files of a process (`ulimit -n`), from /proc/<pid>/limits:
 * every socket is a file, on the server's side and on the client's.
 * @param {number | 'self'} pid
 */
export function openFilesLimit(pid) {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
    return soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * Waits until a process's background work is done: under `threshold` of a
 * core for `seconds` seconds in a row. Gives up after `maxSeconds`.
 * @param {number} pid
 * @param {{ threshold?: number, seconds?: number, maxSeconds?: number }} [options]
 * @returns {Promise<{ idle: boolean, waitedSeconds: number }>}
 */
export async function waitForIdleProcess(pid, { threshold = 0.05, seconds = 2, maxSeconds = 120 } = {}) {
  const start = Date.now();
  let calm = 0;
  for (let before = processCpuSeconds(pid); ; ) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = processCpuSeconds(pid);
    if (before === undefined || after === undefined) return { idle: true, waitedSeconds: (Date.now() - start) / 1000 };
    calm = after - before < threshold ? calm + 1 : 0;
    before = after;
    const waitedSeconds = (Date.now() - start) / 1000;
    if (calm >= seconds) return { idle: true, waitedSeconds };
    if (waitedSeconds >= maxSeconds) return { idle: false, waitedSeconds };
  }
}
