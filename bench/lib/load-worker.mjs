// A load generator process: closed loops of HTTP requests over keep-alive
// connections, driven by lib/load.mjs over IPC. It runs apart from the server
// and from the orchestrator so that neither's event loop skews the other.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Histogram } from './stats.mjs';

/**
 * One phase of load, as lib/load.mjs describes it.
 * @typedef {object} Phase
 * @property {string} url         server base URL
 * @property {string} method
 * @property {string} path
 * @property {string[]} tokens    bearer tokens, used in turn request by request; none: no Authorization header
 * @property {boolean} [tokenPerLoop]  each loop keeps one token (loop i uses tokens[i % tokens.length]), as one user's client
 *   sends one request after another, instead of the tokens in turn request by request
 * @property {Record<string, string>} [headers]  more headers on every request (X-API-Key for `POST /tokens`)
 * @property {{ users: number, prefix: string }} [upsert]  instead of a message `{ text }`, the body is
 *   `{ userId, name }` of one of `users` users picked at random: many distinct users, and repeats (upserts)
 * @property {number} concurrency requests in flight at once (one connection each)
 * @property {number} durationMs
 * @property {number} expectStatus
 * @property {string} tag         makes each message text unique across workers
 */

/**
 * A user of `POST /tokens`, picked at random among `users`: early calls mostly create users, later ones
 * mostly update them, as logins of a user base do.
 * @param {{ users: number, prefix: string }} upsert
 */
function upsertBody({ users, prefix }) {
  const n = Math.floor(Math.random() * users);
  return JSON.stringify({ userId: `${prefix}${n}`, name: `Bench user ${n}` });
}

/** @param {Phase} phase */
async function runPhase(phase) {
  const { hostname, port } = new URL(phase.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: phase.concurrency });
  const latencyUs = new Histogram();
  /** @type {Record<string, number>} */
  const errors = {};
  let completed = 0;
  let sent = 0;
  const start = performance.now();
  const end = start + phase.durationMs;

  /** @returns {Promise<number>} the status, or throws on a network error */
  const request = (/** @type {string | undefined} */ token, /** @type {string} */ body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          hostname,
          port,
          method: phase.method,
          path: phase.path,
          headers: {
            ...phase.headers,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const loop = async (/** @type {unknown} */ _, /** @type {number} */ i) => {
    while (performance.now() < end) {
      const n = sent++;
      const token = phase.tokens.length > 0 ? phase.tokens[(phase.tokenPerLoop ? i : n) % phase.tokens.length] : undefined;
      const body = phase.upsert ? upsertBody(phase.upsert) : JSON.stringify({ text: `bench message ${phase.tag}-${n}` });
      const t0 = performance.now();
      let outcome;
      try {
        outcome = await request(token, body);
      } catch (error) {
        outcome = /** @type {NodeJS.ErrnoException} */ (error).code ?? 'network_error';
      }
      const t1 = performance.now();
      // Only what completes inside the window counts, so the rate is exact.
      if (t1 > end) break;
      if (outcome === phase.expectStatus) {
        completed += 1;
        latencyUs.record((t1 - t0) * 1000);
      } else {
        errors[outcome] = (errors[outcome] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: phase.concurrency }, loop));
  agent.destroy();
  return { completed, errors, elapsedMs: phase.durationMs, latencyUs: latencyUs.toJSON() };
}

// Orphaned (the orchestrator died): stop loading the server.
process.on('disconnect', () => process.exit(0));
process.on('message', (/** @type {{ type: 'run', phase: Phase } | { type: 'exit' }} */ message) => {
  if (message.type === 'exit') process.exit(0);
  runPhase(message.phase).then(
    (result) => process.send?.({ type: 'result', result }),
    (error) => process.send?.({ type: 'error', message: String(error?.stack ?? error) }),
  );
});
