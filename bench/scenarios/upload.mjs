// Issue 15's upload figures: 20 clients each upload 10 MiB files at once
// through POST /api/uploads (multipart, streamed to the file store), from a
// separate load process; MiB/s through the server, and the server's RSS
// sampled throughout, to show it stays flat (streamed, never buffered).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { processMemory, waitForIdleProcess } from '../lib/machine.mjs';
import { createApp } from '../lib/server.mjs';
import { round3 } from '../lib/stats.mjs';

export const description = '20 clients uploading 10 MiB files at once: MiB/s, and server RSS before, during (peak) and after';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  clients: { type: 'string', default: '20', description: 'uploads in flight at once' },
  'size-mib': { type: 'string', default: '10', description: 'size of each file, MiB' },
  rounds: { type: 'string', default: '5', description: 'files each client uploads, one after another' },
  'warmup-rounds': { type: 'string', default: '1', description: 'rounds before the measured ones (not counted)' },
};

const MiB = 1024 * 1024;
const SAMPLE_MS = 50;

/**
 * The load process: `clients` loops, each uploading `rounds` files of the
 * same bytes (random, so the server sniffs nothing and stores them as they
 * are) with the app's key; reports each upload's status and time.
 */
async function worker() {
  const [, , , url, apiKey, clientsText, sizeText, roundsText] = process.argv;
  const clients = Number(clientsText);
  const size = Number(sizeText);
  const rounds = Number(roundsText);
  const { randomBytes } = await import('node:crypto');
  const bytes = new Blob([randomBytes(size)]);
  /** @type {{ status: number; ms: number }[]} */
  const results = [];
  const loop = async (/** @type {number} */ client) => {
    for (let round = 0; round < rounds; round += 1) {
      const form = new FormData();
      form.append('file', bytes, `bench-${client}-${round}.bin`);
      const started = performance.now();
      const response = await fetch(`${url}/api/uploads`, { method: 'POST', headers: { 'x-api-key': apiKey }, body: form });
      await response.arrayBuffer();
      results.push({ status: response.status, ms: performance.now() - started });
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  process.send?.({ results });
}

if (process.argv[2] === 'upload-worker') {
  worker().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}

/**
 * One phase of load from a child process; resolves to its uploads' results and wall time.
 * @param {string} url @param {string} apiKey @param {number} clients @param {number} size @param {number} rounds
 */
async function phase(url, apiKey, clients, size, rounds) {
  const child = fork(new URL(import.meta.url).pathname, ['upload-worker', url, apiKey, String(clients), String(size), String(rounds)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const started = performance.now();
  const [message] = /** @type {[{ results: { status: number; ms: number }[] }]} */ (await once(child, 'message'));
  const seconds = (performance.now() - started) / 1000;
  await once(child, 'exit');
  return { results: message.results, seconds };
}

/** @param {number[]} values @param {number} q */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url, env, serverPid, options: raw, log }) {
  const o = {
    clients: Number(raw.clients),
    sizeMiB: Number(raw['size-mib']),
    rounds: Number(raw.rounds),
    warmupRounds: Number(raw['warmup-rounds']),
  };
  for (const [name, value] of Object.entries(o)) if (!(value >= 0) || (name !== 'warmupRounds' && value === 0)) throw new Error(`--${name} must be a positive number`);
  if (serverPid === undefined) throw new Error('upload measures the server process: with --url, give --server-pid');
  const size = Math.round(o.sizeMiB * MiB);
  const app = await createApp(env, `bench upload ${new Date().toISOString()}`);

  if (o.warmupRounds > 0) {
    log(`warm-up: ${o.clients} clients × ${o.warmupRounds} files of ${o.sizeMiB} MiB`);
    await phase(url, app.apiKey, o.clients, size, o.warmupRounds);
  }
  await waitForIdleProcess(serverPid);
  const before = processMemory(serverPid);
  if (!before) throw new Error('the server process is gone');
  log(`server RSS before: ${round3(before.rssBytes / MiB)} MiB; measuring ${o.clients} clients × ${o.rounds} files of ${o.sizeMiB} MiB`);
  let peak = before.rssBytes;
  /** @type {number[]} */
  const samples = [];
  const sampler = setInterval(() => {
    const now = processMemory(serverPid);
    if (now) {
      peak = Math.max(peak, now.rssBytes);
      samples.push(now.rssBytes);
    }
  }, SAMPLE_MS);
  const { results, seconds } = await phase(url, app.apiKey, o.clients, size, o.rounds);
  clearInterval(sampler);
  await waitForIdleProcess(serverPid);
  const after = processMemory(serverPid);

  const ok = results.filter((r) => r.status === 201);
  const failed = results.length - ok.length;
  const mibPerSecond = round3((ok.length * size) / MiB / seconds);
  const latency = ok.map((r) => r.ms);
  const mib = (/** @type {number} */ bytes) => round3(bytes / MiB);
  const figures = {
    uploads: results.length,
    failed,
    seconds: round3(seconds),
    mibPerSecond,
    uploadMs: { p50: Math.round(quantile(latency, 0.5)), p99: Math.round(quantile(latency, 0.99)) },
    rssBeforeMiB: mib(before.rssBytes),
    rssPeakMiB: mib(peak),
    rssMedianDuringMiB: mib(quantile(samples, 0.5)),
    rssAfterMiB: after ? mib(after.rssBytes) : null,
    rssPeakAboveBeforePerUploadInFlightMiB: round3((peak - before.rssBytes) / MiB / o.clients),
  };
  return {
    options: o,
    ...figures,
    summary:
      `${ok.length}/${results.length} uploads of ${o.sizeMiB} MiB, ${o.clients} at once: ${mibPerSecond} MiB/s (p50 / p99 ${figures.uploadMs.p50} / ${figures.uploadMs.p99} ms each); ` +
      `server RSS ${figures.rssBeforeMiB} MiB before, peak ${figures.rssPeakMiB} (median ${figures.rssMedianDuringMiB}) during, ${figures.rssAfterMiB} after: ` +
      `${figures.rssPeakAboveBeforePerUploadInFlightMiB} MiB per upload in flight at the peak, against ${o.sizeMiB} MiB a buffered upload would hold`,
    figures: [
      { figure: `${o.clients} clients × ${o.sizeMiB} MiB uploads: throughput`, value: `${mibPerSecond} MiB/s (${ok.length}/${results.length} stored${failed ? `, ${failed} FAILED` : ''})` },
      { figure: 'one upload, p50 / p99', value: `${figures.uploadMs.p50} / ${figures.uploadMs.p99} ms` },
      { figure: 'server RSS before / peak / after', value: `${figures.rssBeforeMiB} / ${figures.rssPeakMiB} / ${figures.rssAfterMiB} MiB` },
      { figure: 'server RSS at the peak above before, per upload in flight', value: `${figures.rssPeakAboveBeforePerUploadInFlightMiB} MiB`, bar: `< ${o.sizeMiB} MiB (streamed)`, met: figures.rssPeakAboveBeforePerUploadInFlightMiB < o.sizeMiB },
    ],
  };
}
