// A load process for read benchmarks: GET requests at a steady rate, an open
// loop (each request goes at its time whether or not earlier ones were
// answered), driven by lib/paced-gets.mjs over IPC. Latency runs from the
// time a request was due, so a server that falls behind shows it in full
// rather than slowing the generator down (no coordinated omission).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Histogram } from './stats.mjs';

/**
 * One phase, as lib/paced-gets.mjs sends it.
 * @typedef {object} PacedPhase
 * @property {string} url        server base URL
 * @property {string[]} paths    requested in turn
 * @property {Record<string, string>} headers  Authorization or X-API-Key
 * @property {number} rate       requests per second
 * @property {number} durationMs
 */

/** @param {PacedPhase} phase */
async function runPhase(phase) {
  const { hostname, port } = new URL(phase.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencyUs = new Histogram();
  /** @type {Record<string, number>} */
  const errors = {};
  let completed = 0;
  let maxLagMs = 0;
  const total = Math.round((phase.rate * phase.durationMs) / 1000);
  const interval = 1000 / phase.rate;
  const start = performance.now() + 20;

  /** @param {number} n */
  const fire = (n) =>
    new Promise((resolve) => {
      const due = start + n * interval;
      const fail = (/** @type {string} */ key) => {
        errors[key] = (errors[key] ?? 0) + 1;
        resolve(undefined);
      };
      const req = http.request({ agent, hostname, port, method: 'GET', path: phase.paths[n % phase.paths.length], headers: phase.headers }, (res) => {
        res.on('data', () => {});
        res.on('error', () => fail('response_error'));
        res.on('end', () => {
          if (res.statusCode !== 200) return fail(String(res.statusCode));
          completed += 1;
          latencyUs.record((performance.now() - due) * 1000);
          resolve(undefined);
        });
      });
      req.on('error', (error) => fail(/** @type {NodeJS.ErrnoException} */ (error).code ?? 'network_error'));
      req.end();
    });

  /** @type {Promise<unknown>[]} */
  const inFlight = [];
  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Everything due by now goes out at once; a timer tick is about a millisecond.
    while (next < total && start + next * interval <= now) {
      maxLagMs = Math.max(maxLagMs, now - (start + next * interval));
      inFlight.push(fire(next));
      next += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + next * interval - performance.now())));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { total, completed, errors, maxLagMs, latencyUs: latencyUs.toJSON() };
}

// Orphaned (the orchestrator died): stop loading the server.
process.on('disconnect', () => process.exit(0));
process.on('message', (/** @type {{ type: 'run', phase: PacedPhase } | { type: 'exit' }} */ message) => {
  if (message.type === 'exit') process.exit(0);
  runPhase(message.phase).then(
    (result) => process.send?.({ type: 'result', result }),
    (error) => process.send?.({ type: 'error', message: String(error?.stack ?? error) }),
  );
});
