import { fork } from 'node:child_process';
import { Histogram } from './stats.mjs';

const WORKER = new URL('./socket-worker.mjs', import.meta.url).pathname;

/**
 * Asks a worker process one thing and waits for its answer; a worker that
 * dies meanwhile fails the call instead of hanging the run.
 * @param {import('node:child_process').ChildProcess} worker
 * @param {import('./socket-worker.mjs').Command} command
 * @returns {Promise<any>}
 */
function ask(worker, command) {
  return new Promise((resolve, reject) => {
    const onMessage = (/** @type {any} */ message) => {
      worker.off('exit', onExit);
      if (message?.type === 'error') reject(new Error(`socket worker failed: ${message.message}`));
      else resolve(message);
    };
    const onExit = (/** @type {number | null} */ code) => {
      worker.off('message', onMessage);
      reject(new Error(`socket worker ${worker.pid} exited (code ${code}) during "${command.type}"`));
    };
    worker.once('message', onMessage);
    worker.once('exit', onExit);
    worker.send(command);
  });
}

/**
 * Realtime client processes (child_process.fork of socket-worker.mjs), each
 * holding a contiguous share of the connections.
 * @param {number} processes
 */
export async function startSockets(processes) {
  const workers = Array.from({ length: processes }, () => fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const all = (/** @type {(worker: import('node:child_process').ChildProcess, i: number) => Promise<any>} */ f) => Promise.all(workers.map(f));
  return {
    /** The client processes, for their CPU figures. */
    pids: workers.map((w) => /** @type {number} */ (w.pid)),
    /**
     * Opens the connections, each subscribed to its channel, `inFlight` handshakes at a time per process.
     * @param {string} url  the gateway's ws:// URL
     * @param {import('./socket-worker.mjs').Connection[]} connections
     * @param {number} inFlight
     * @param {'json' | 'protobuf'} [framing]  the protocol's framing (default json)
     */
    async open(url, connections, inFlight, framing = 'json') {
      const share = Math.ceil(connections.length / workers.length);
      const results = /** @type {import('./socket-worker.mjs').OpenResult[]} */ (
        (await all((w, i) => ask(w, { type: 'open', url, connections: connections.slice(i * share, (i + 1) * share), inFlight, framing }))).map((r) => r.result)
      );
      const connectMs = new Histogram();
      /** @type {Record<string, number>} */
      const failures = {};
      for (const r of results) {
        connectMs.merge(Histogram.from(r.connectMs));
        for (const [reason, n] of Object.entries(r.failures)) failures[reason] = (failures[reason] ?? 0) + n;
      }
      return { opened: connectMs.count, failures, connectMs };
    },
    /**
     * Starts a fresh tally of the messages tagged `tag`; `from`–`to` (epoch ms) is the measured window.
     * @param {string} tag
     * @param {number} from
     * @param {number} to
     */
    async watch(tag, from, to) {
      await all((w) => ask(w, { type: 'watch', tag, from, to }));
    },
    /** Deliveries of the watched messages so far, over every process. */
    async count() {
      return (await all((w) => ask(w, { type: 'count' }))).reduce((a, r) => a + r.deliveries, 0);
    },
    /** The merged tally of the watched messages, and the connections' state. */
    async report() {
      const reports = /** @type {import('./socket-worker.mjs').Report[]} */ ((await all((w) => ask(w, { type: 'report' }))).map((r) => r.report));
      const latencyUs = new Histogram();
      /** @type {number[]} */
      const perMessage = [];
      /** @type {(number | null)[]} */
      const firstMs = [];
      /** @type {(number | null)[]} */
      const lastMs = [];
      /** @type {number[]} */
      const perSecond = [];
      /** @type {Record<string, number>} */
      const drops = {};
      const sum = (/** @type {(r: import('./socket-worker.mjs').Report) => number} */ pick) => reports.reduce((a, r) => a + pick(r), 0);
      for (const r of reports) {
        latencyUs.merge(Histogram.from(r.latencyUs));
        r.perMessage.forEach((n, seq) => (perMessage[seq] = (perMessage[seq] ?? 0) + n));
        r.firstMs.forEach((ms, seq) => (firstMs[seq] = ms === null ? (firstMs[seq] ?? null) : Math.min(firstMs[seq] ?? Infinity, ms)));
        r.lastMs.forEach((ms, seq) => (lastMs[seq] = ms === null ? (lastMs[seq] ?? null) : Math.max(lastMs[seq] ?? -Infinity, ms)));
        r.perSecond.forEach((n, s) => (perSecond[s] = (perSecond[s] ?? 0) + n));
        for (const [code, n] of Object.entries(r.drops)) drops[code] = (drops[code] ?? 0) + n;
      }
      return {
        deliveries: sum((r) => r.deliveries),
        inWindow: sum((r) => r.inWindow),
        repeatedOffsets: sum((r) => r.repeatedOffsets),
        skippedOffsets: sum((r) => r.skippedOffsets),
        open: sum((r) => r.open),
        pings: sum((r) => r.pings),
        /** Sockets that received at least one ping. */
        pinged: sum((r) => r.pinged),
        /** Publications received on other channels than the subscribed one (the personal stream), since the client processes started. */
        otherPublications: sum((r) => r.otherPublications),
        latencyUs,
        perMessage: Array.from(perMessage, (n) => n ?? 0),
        /** Per message: the latency (ms) of its first and of its last delivery over every socket; null if none. */
        firstMs: Array.from(firstMs, (ms) => ms ?? null),
        lastMs: Array.from(lastMs, (ms) => ms ?? null),
        perSecond: Array.from(perSecond, (n) => n ?? 0),
        drops,
      };
    },
    /** Closes every connection. */
    async close() {
      await all((w) => ask(w, { type: 'close' }));
    },
    /** Ends the processes (their sockets with them). */
    async stop() {
      await all(async (worker) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.send({ type: 'exit' });
        await exited;
      });
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startSockets>>} Sockets */
