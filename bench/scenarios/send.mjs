// Issue 7's send figures: persisted sends per second through REST into one
// channel of 100 members, the senders spread over those members, and the
// HTTP latency they see.
import { startLoad } from '../lib/load.mjs';
import { loadFigures, measureQuietly, positiveOption, MAX_DISTURBANCE_OPTION } from '../lib/measured.mjs';
import { call, issueTokens, seedUsers, userId } from '../lib/seed.mjs';
import { createApp } from '../lib/server.mjs';

export const description = 'REST sends into one channel of 100 members, each closed loop one member: sends/s, HTTP p50/p99, CPU per send';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  duration: { type: 'string', default: '10', description: 'seconds of measured load' },
  warmup: { type: 'string', default: '3', description: 'seconds of unmeasured load first' },
  concurrency: { type: 'string', default: '64', description: 'requests in flight at once (closed loops, each with one member’s token)' },
  'load-processes': { type: 'string', default: '2', description: 'load generator processes' },
  members: { type: 'string', default: '100', description: 'members of the channel, all of them senders' },
  'max-disturbance': MAX_DISTURBANCE_OPTION,
};

/** Issue 7's bars. */
const BARS = { sendsPerSecond: 10_000, p99Ms: 50 };
const CHANNEL = 'send';

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url, env, store, serverPid, options: raw, log }) {
  const o = {
    duration: positiveOption(raw, 'duration'),
    warmup: positiveOption(raw, 'warmup'),
    concurrency: positiveOption(raw, 'concurrency'),
    loadProcesses: positiveOption(raw, 'load-processes'),
    members: positiveOption(raw, 'members'),
    maxDisturbance: positiveOption(raw, 'max-disturbance'),
  };
  if (o.members > 100) throw new Error('--members: at most 100, the most a channel is created with over REST');

  log(`seeding: an app, ${o.members} users, one channel with all of them, a token each`);
  const app = await createApp(env, `bench send ${new Date().toISOString()}`);
  await seedUsers(url, app.apiKey, o.members);
  const members = Array.from({ length: o.members }, (_, n) => userId(n));
  await call(url, 'POST', '/api/channels', { 'x-api-key': app.apiKey }, { type: 'messaging', id: CHANNEL, createdBy: members[0], members });
  const tokens = await issueTokens(url, app.apiKey, members);
  const auth = { authorization: `Bearer ${tokens[0]}` };
  const channel = async () => (await call(url, 'GET', `/api/channels/${CHANNEL}`, auth)).channel;
  const { memberCount } = await channel();
  if (memberCount !== o.members) throw new Error(`seeding went wrong: ${memberCount} members, not ${o.members}`);

  const load = await startLoad(o.loadProcesses);
  /** @type {import('../lib/measured.mjs').Measurement} */
  let measured;
  try {
    const phase = (/** @type {number} */ seconds) =>
      load.run({ url, method: 'POST', path: `/api/channels/${CHANNEL}/messages`, tokens, tokenPerLoop: true, concurrency: o.concurrency, seconds, expectStatus: 201 });
    log(`warm-up: ${o.warmup} s`);
    await phase(o.warmup);
    log(`measuring: ${o.duration} s, ${o.concurrency} in flight over ${o.loadProcesses} processes`);
    measured = await measureQuietly({ store, env, serverPid, loadPids: load.pids, maxDisturbance: o.maxDisturbance, log, phase: () => phase(o.duration) });
  } finally {
    await load.stop();
  }
  const f = loadFigures(measured);
  // Every acknowledged send must be in the store: the channel's sequence counts them (warm-up included).
  const { lastMessageSeq } = await channel();
  if (lastMessageSeq < f.completed) throw new Error(`the channel holds ${lastMessageSeq} messages, fewer than the ${f.completed} acknowledged`);

  const cpu = f.serverCpuUsPerCall === null ? '' : `, server ${f.serverCpuUsPerCall} µs CPU/send`;
  const db = f.postgresCpuUsPerCall === null ? '' : `, postgres ${f.postgresCpuUsPerCall} µs CPU/send`;
  const rateMet = f.perSecond >= BARS.sendsPerSecond;
  const p99Met = f.latencyMs.p99 < BARS.p99Ms;
  return {
    options: o,
    ...f,
    lastMessageSeq,
    summary:
      `${o.members} members, ${o.concurrency} in flight: ${f.perSecond} sends/s (bar ${BARS.sendsPerSecond}: ${rateMet ? 'met' : 'NOT met'}), ` +
      `p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms (bar < ${BARS.p99Ms}: ${p99Met ? 'met' : 'NOT met'})${cpu}${db}, ${f.errorCount} errors` +
      (f.disturbed ? ' — DISTURBED: other processes used the cores meanwhile; run again on a quiet machine' : ''),
    figures: [
      {
        figure: `persisted sends/s, 1 channel of ${o.members}, ${o.concurrency} in flight`,
        value: `${f.perSecond}${f.disturbed ? ' (disturbed run)' : ''}`,
        bar: `≥ ${BARS.sendsPerSecond.toLocaleString('en')}/s`,
        met: rateMet,
      },
      { figure: 'send HTTP latency p50 / p99', value: `${f.latencyMs.p50} / ${f.latencyMs.p99} ms`, bar: `p99 < ${BARS.p99Ms} ms`, met: p99Met },
      ...(f.serverCpuUsPerCall === null ? [] : [{ figure: 'server CPU per send', value: `${f.serverCpuUsPerCall} µs (${f.serverCpuPercentOfOneCore}% of a core)` }]),
      ...(f.postgresCpuUsPerCall === null ? [] : [{ figure: 'PostgreSQL CPU per send', value: `${f.postgresCpuUsPerCall} µs` }]),
      { figure: 'send errors', value: f.errorCount === 0 ? '0' : JSON.stringify(f.errors), bar: 'none', met: f.errorCount === 0 },
    ],
  };
}
