// JWT signing and verification on one core: the server's own token module
// (the built packages/server/dist/domain/auth/tokens.js), timed in a loop in a
// process of its own, apart from the server and the orchestrator. Forked by
// scenarios/tokens.mjs with the run's app, its secret and a real token the
// server issued; answers with the rates over IPC.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * @typedef {object} JwtPlan
 * @property {string} appId
 * @property {string} secret   the app's signing secret, from the store
 * @property {string} token    a REST token the server issued through POST /tokens
 * @property {number} seconds  per measurement
 */

/** More distinct tokens than a per-token cache would hold (fast-jwt's verifier cache held 2,048), so that every verification computes its HMAC. */
const DISTINCT_TOKENS = 8192;

/**
 * Calls `op(i)` for `seconds`, checking the clock every 256 calls, and
 * returns the calls, the wall seconds and this process's CPU seconds.
 * @param {number} seconds
 * @param {(i: number) => unknown} op
 */
async function timeLoop(seconds, op) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let calls = 0;
  for (;;) {
    for (let k = 0; k < 256; k += 1) {
      const r = op(calls++);
      if (r instanceof Promise) await r; // verify is async, as the server awaits it; issue is not
    }
    if (performance.now() >= end) break;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { calls, wallSeconds: wall, cpuSeconds, perWallSecond: calls / wall, perCpuSecond: calls / cpuSeconds, usPerCall: (cpuSeconds * 1e6) / calls };
}

/** @param {JwtPlan} plan */
async function measure({ appId, secret, token, seconds }) {
  /** @type {typeof import('../../packages/server/dist/domain/auth/tokens.js')} */
  const { TokenService } = await import(join(ROOT, 'packages/server/dist/domain/auth/tokens.js'));
  const service = new TokenService(async (id) => (id === appId ? secret : undefined));
  const app = { id: appId, jwtSecret: secret };
  // The token the server issued must verify here: the same module, the same secret.
  const verified = await service.verify(token, 'rest');
  if (verified.appId !== appId) throw new Error('the server’s token did not verify with the app’s secret');
  const distinct = Array.from({ length: DISTINCT_TOKENS }, (_, i) => service.issue(app, `jwt-bench-${i}`, 86400).token);
  const warm = Math.min(0.5, seconds / 4);
  await timeLoop(warm, () => service.verify(token, 'rest'));
  await timeLoop(warm, (i) => service.verify(/** @type {string} */ (distinct[i % DISTINCT_TOKENS]), 'rest'));
  await timeLoop(warm, (i) => service.issue(app, `jwt-bench-${i}`, 86400));
  return {
    /** The same token over and over: what a user's repeated requests cost, a cache (if the module keeps one) answering after the first call. */
    verifySameToken: await timeLoop(seconds, () => service.verify(token, 'rest')),
    /** Distinct tokens, more than a cache would hold: each call decodes, computes the HMAC and checks the claims. */
    verifyDistinctTokens: await timeLoop(seconds, (i) => service.verify(/** @type {string} */ (distinct[i % DISTINCT_TOKENS]), 'rest')),
    /** What POST /tokens signs per call: the token and the wsToken. */
    issuePair: await timeLoop(seconds, (i) => service.issue(app, `jwt-bench-${i}`, 86400)),
    tokenBytes: token.length,
  };
}

process.on('disconnect', () => process.exit(0));
process.once('message', (/** @type {JwtPlan} */ plan) => {
  measure(plan).then(
    (result) => process.send?.({ type: 'result', result }, () => process.exit(0)),
    (error) => process.send?.({ type: 'error', message: String(error?.stack ?? error) }, () => process.exit(1)),
  );
});
