// Issue 7's token figures: POST /tokens per second (each call upserts a user
// and signs two JWTs), and JWT verifications per second on one core with the
// server's own token module.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { startLoad } from '../lib/load.mjs';
import { loadFigures, measureQuietly, positiveOption, MAX_DISTURBANCE_OPTION } from '../lib/measured.mjs';
import { waitForQuiet } from '../lib/machine.mjs';
import { call, openServerStore } from '../lib/seed.mjs';
import { createApp } from '../lib/server.mjs';
import { round3 } from '../lib/stats.mjs';

export const description = 'POST /tokens per second (user upserts, closed loop) and JWT verifications/s on one core';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  duration: { type: 'string', default: '10', description: 'seconds of measured POST /tokens load' },
  warmup: { type: 'string', default: '3', description: 'seconds of unmeasured load first' },
  concurrency: { type: 'string', default: '64', description: 'requests in flight at once (closed loop)' },
  'load-processes': { type: 'string', default: '2', description: 'load generator processes' },
  users: { type: 'string', default: '20000', description: 'distinct userIds the calls pick from at random (new users, then repeats)' },
  'jwt-seconds': { type: 'string', default: '2', description: 'seconds per JWT measurement (verify one token, verify distinct tokens, sign)' },
  'max-disturbance': MAX_DISTURBANCE_OPTION,
};

/** Issue 7's bars. */
const BARS = { verificationsPerSecond: 100_000, tokensPerSecond: 10_000 };
const WORKER = new URL('../lib/jwt-worker.mjs', import.meta.url).pathname;

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url, env, store, serverPid, options: raw, log }) {
  const o = {
    duration: positiveOption(raw, 'duration'),
    warmup: positiveOption(raw, 'warmup'),
    concurrency: positiveOption(raw, 'concurrency'),
    loadProcesses: positiveOption(raw, 'load-processes'),
    users: positiveOption(raw, 'users'),
    jwtSeconds: positiveOption(raw, 'jwt-seconds'),
    maxDisturbance: positiveOption(raw, 'max-disturbance'),
  };
  const app = await createApp(env, `bench tokens ${new Date().toISOString()}`);
  const headers = { 'x-api-key': app.apiKey };

  const load = await startLoad(o.loadProcesses);
  /** @type {import('../lib/measured.mjs').Measurement} */
  let measured;
  try {
    const phase = (/** @type {number} */ seconds) =>
      load.run({ url, method: 'POST', path: '/tokens', tokens: [], headers, upsert: { users: o.users, prefix: 'tok-' }, concurrency: o.concurrency, seconds, expectStatus: 200 });
    log(`warm-up: ${o.warmup} s of POST /tokens`);
    await phase(o.warmup);
    log(`measuring: ${o.duration} s of POST /tokens, ${o.concurrency} in flight over ${o.loadProcesses} processes, ${o.users} distinct users`);
    measured = await measureQuietly({ store, env, serverPid, loadPids: load.pids, maxDisturbance: o.maxDisturbance, log, phase: () => phase(o.duration) });
  } finally {
    await load.stop();
  }
  const http = loadFigures(measured);
  const usersStored = await countUsers(env, app.id);

  log(`JWT: ${o.jwtSeconds} s each of verify (one token), verify (distinct tokens), sign, in one process`);
  const { token } = await call(url, 'POST', '/tokens', headers, { userId: 'jwt-bench' });
  const jwt = await measureJwt({ appId: app.id, secret: await appSecret(env, app.id), token, seconds: o.jwtSeconds });
  const rate = (/** @type {{ perCpuSecond: number }} */ r) => round3(r.perCpuSecond);
  const verifyDistinct = rate(jwt.verifyDistinctTokens);
  const verifySame = rate(jwt.verifySameToken);
  const signatures = round3(jwt.issuePair.perCpuSecond * 2);

  const errorsText = http.errorCount === 0 ? '0' : JSON.stringify(http.errors);
  const cpu = http.serverCpuUsPerCall === null ? '' : `, server ${http.serverCpuUsPerCall} µs CPU/call`;
  const db = http.postgresCpuUsPerCall === null ? '' : `, postgres ${http.postgresCpuUsPerCall} µs CPU/call`;
  const disturbed = http.disturbed || jwt.disturbed;
  return {
    options: o,
    postTokens: { ...http, usersStored },
    jwt,
    disturbed,
    summary:
      `POST /tokens ${http.perSecond}/s (bar ${BARS.tokensPerSecond}: ${http.perSecond >= BARS.tokensPerSecond ? 'met' : 'NOT met'}), ` +
      `p50 ${http.latencyMs.p50} ms, p99 ${http.latencyMs.p99} ms${cpu}${db}, ${http.errorCount} errors; ` +
      `JWT verify ${verifyDistinct}/s per core distinct tokens, ${verifySame}/s the same token ` +
      `(bar ${BARS.verificationsPerSecond}: ${verifyDistinct >= BARS.verificationsPerSecond ? 'met' : 'NOT met'}), sign ${signatures} tokens/s` +
      (disturbed ? ' — DISTURBED: other processes used the cores meanwhile; run again on a quiet machine' : ''),
    figures: [
      {
        figure: 'POST /tokens per second (user upsert + 2 JWTs)',
        value: `${http.perSecond}${http.disturbed ? ' (disturbed run)' : ''}`,
        bar: `≥ ${BARS.tokensPerSecond.toLocaleString('en')}/s`,
        met: http.perSecond >= BARS.tokensPerSecond,
      },
      { figure: 'POST /tokens HTTP latency p50 / p99', value: `${http.latencyMs.p50} / ${http.latencyMs.p99} ms` },
      ...(http.serverCpuUsPerCall === null ? [] : [{ figure: 'server CPU per POST /tokens', value: `${http.serverCpuUsPerCall} µs` }]),
      ...(http.postgresCpuUsPerCall === null ? [] : [{ figure: 'PostgreSQL CPU per POST /tokens', value: `${http.postgresCpuUsPerCall} µs` }]),
      { figure: 'POST /tokens errors', value: errorsText, bar: 'none', met: http.errorCount === 0 },
      {
        figure: 'JWT verifications/s on one core, distinct tokens (HMAC each)',
        value: `${verifyDistinct}${jwt.disturbed ? ' (disturbed run)' : ''}`,
        bar: `≥ ${BARS.verificationsPerSecond.toLocaleString('en')}/s`,
        met: verifyDistinct >= BARS.verificationsPerSecond,
      },
      {
        figure: 'JWT verifications/s on one core, one token again and again',
        value: `${verifySame}`,
        bar: `≥ ${BARS.verificationsPerSecond.toLocaleString('en')}/s`,
        met: verifySame >= BARS.verificationsPerSecond,
      },
      { figure: 'JWT signatures/s on one core', value: `${signatures}` },
    ],
  };
}

/**
 * Runs lib/jwt-worker.mjs in a process of its own on a quiet machine.
 * @param {import('../lib/jwt-worker.mjs').JwtPlan} plan
 */
async function measureJwt(plan) {
  const quiet = await waitForQuiet();
  const worker = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const reply = once(worker, 'message');
  worker.send(plan);
  const [message] = await reply;
  if (message.type !== 'result') throw new Error(`JWT worker failed: ${message.message}`);
  /** @typedef {{ calls: number, wallSeconds: number, cpuSeconds: number, perWallSecond: number, perCpuSecond: number, usPerCall: number }} LoopRate */
  /** @type {{ verifySameToken: LoopRate, verifyDistinctTokens: LoopRate, issuePair: LoopRate, tokenBytes: number }} */
  const result = message.result;
  const loops = [result.verifySameToken, result.verifyDistinctTokens, result.issuePair];
  // A rate per CPU second is robust to sharing the core; a wall rate far below it says the core was shared.
  const shared = loops.some((r) => r.perWallSecond < 0.8 * r.perCpuSecond);
  const rounded = (/** @type {LoopRate} */ r) => /** @type {LoopRate} */ (Object.fromEntries(Object.entries(r).map(([k, x]) => [k, round3(x)])));
  return {
    verifySameToken: rounded(result.verifySameToken),
    verifyDistinctTokens: rounded(result.verifyDistinctTokens),
    issuePair: rounded(result.issuePair),
    tokenBytes: result.tokenBytes,
    machineQuietBefore: quiet.quiet,
    disturbed: !quiet.quiet || shared,
  };
}

/**
 * The app's signing secret, read from the store as the server reads it.
 * @param {Record<string, string>} env
 * @param {string} appId
 */
async function appSecret(env, appId) {
  const store = await openServerStore(env);
  try {
    const row = await store.db.selectFrom('apps').select('jwt_secret').where('id', '=', appId).executeTakeFirstOrThrow();
    return row.jwt_secret;
  } finally {
    await store.close();
  }
}

/**
 * Users the calls created: distinct userIds seen, the rest were updates.
 * @param {Record<string, string>} env
 * @param {string} appId
 */
async function countUsers(env, appId) {
  const store = await openServerStore(env);
  try {
    const { count } = await store.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('app_id', '=', appId)
      .executeTakeFirstOrThrow();
    return Number(count);
  } finally {
    await store.close();
  }
}
