// Issue 7's send figures: persisted sends per second through REST into one
// channel of 100 members, the senders spread over those members, and the
// HTTP latency they see. With --before-send, the same load again with the
// app's before-send hook set to a local receiver answering {}: the added cost
// per send of asking a hook (issue 16).
import { createServer } from 'node:http';
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
  'before-send': {
    type: 'boolean',
    default: false,
    description: 'measure twice on one server, without and then with a before-send hook (a receiver in this process answering {}), and report the difference',
  },
};

/** Issue 7's bars. */
const BARS = { sendsPerSecond: 10_000, p99Ms: 50 };
const CHANNEL = 'send';

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url: firstUrl, env, store, serverPid: firstPid, options: raw, log, startAnotherServer }) {
  const beforeSend = raw['before-send'] === true;
  const o = {
    duration: positiveOption(raw, 'duration'),
    warmup: positiveOption(raw, 'warmup'),
    concurrency: positiveOption(raw, 'concurrency'),
    loadProcesses: positiveOption(raw, 'load-processes'),
    members: positiveOption(raw, 'members'),
    maxDisturbance: positiveOption(raw, 'max-disturbance'),
    beforeSend,
  };
  if (o.members > 100) throw new Error('--members: at most 100, the most a channel is created with over REST');
  const hook = beforeSend ? await startHookReceiver() : undefined;
  let url = firstUrl;
  let serverPid = firstPid;
  if (hook) {
    if (!startAnotherServer) throw new Error('--before-send starts a server of its own (its receiver must be on the outbound allowlist): it cannot use --url');
    // A loopback hook is reachable only through the operator's allowlist, which a server reads when it starts.
    process.env.CHATSDK_OUTBOUND_ALLOW_HOSTS = hook.hostPort;
    const hooked = await startAnotherServer('hooked');
    url = hooked.url;
    serverPid = hooked.pid;
    log(`before-send: both windows on the server started with the allowlist (pid ${serverPid}); the receiver is ${hook.url}`);
  }

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
  /** @type {import('../lib/measured.mjs').Measurement | undefined} */
  let hookedMeasured;
  let hookRequests = 0;
  try {
    const phase = (/** @type {number} */ seconds) =>
      load.run({ url, method: 'POST', path: `/api/channels/${CHANNEL}/messages`, tokens, tokenPerLoop: true, concurrency: o.concurrency, seconds, expectStatus: 201 });
    // The receiver answers in this process: its CPU is the load's, not a disturbance.
    const loadPids = hook ? [...load.pids, process.pid] : load.pids;
    const window = async (/** @type {string} */ what) => {
      log(`warm-up${what}: ${o.warmup} s`);
      await phase(o.warmup);
      log(`measuring${what}: ${o.duration} s, ${o.concurrency} in flight over ${o.loadProcesses} processes`);
      return measureQuietly({ store, env, serverPid, loadPids, maxDisturbance: o.maxDisturbance, log, phase: () => phase(o.duration) });
    };
    measured = await window(hook ? ' without a hook' : '');
    if (hook) {
      await call(url, 'PATCH', '/api/app', { 'x-api-key': app.apiKey }, { beforeSendHook: { url: hook.url, timeoutMs: 3000, onFailure: 'reject' } });
      const asked = hook.count();
      hookedMeasured = await window(' with the before-send hook');
      hookRequests = hook.count() - asked;
    }
  } finally {
    await load.stop();
    await hook?.close();
  }
  const f = loadFigures(measured);
  const h = hookedMeasured && loadFigures(hookedMeasured);
  // Every acknowledged send must be in the store: the channel's sequence counts them (warm-up included).
  const { lastMessageSeq } = await channel();
  const acknowledged = f.completed + (h?.completed ?? 0);
  if (lastMessageSeq < acknowledged) throw new Error(`the channel holds ${lastMessageSeq} messages, fewer than the ${acknowledged} acknowledged`);
  // Each send of the hooked windows asked the hook once (onFailure reject: a send it did not allow failed).
  if (h && hookRequests < h.completed) throw new Error(`the hook was asked ${hookRequests} times for ${h.completed} sends`);

  const cpu = f.serverCpuUsPerCall === null ? '' : `, server ${f.serverCpuUsPerCall} µs CPU/send`;
  const db = f.postgresCpuUsPerCall === null ? '' : `, postgres ${f.postgresCpuUsPerCall} µs CPU/send`;
  const rateMet = f.perSecond >= BARS.sendsPerSecond;
  const p99Met = f.latencyMs.p99 < BARS.p99Ms;
  return {
    options: o,
    ...f,
    ...(h ? { withBeforeSendHook: { ...h, hookRequests } } : {}),
    lastMessageSeq,
    summary:
      `${o.members} members, ${o.concurrency} in flight: ${f.perSecond} sends/s (bar ${BARS.sendsPerSecond}: ${rateMet ? 'met' : 'NOT met'}), ` +
      `p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms (bar < ${BARS.p99Ms}: ${p99Met ? 'met' : 'NOT met'})${cpu}${db}, ${f.errorCount} errors` +
      (h ? `; ${hookSummary(f, h)}` : '') +
      (f.disturbed || h?.disturbed ? ' — DISTURBED: other processes used the cores meanwhile; run again on a quiet machine' : ''),
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
      ...(h ? hookFigures(f, h) : []),
    ],
  };
}

/** @typedef {ReturnType<typeof loadFigures>} Figures */

/** The hook's cost, one line: what the same load did with it against without it. @param {Figures} f @param {Figures} h */
function hookSummary(f, h) {
  const cpu = f.serverCpuUsPerCall === null || h.serverCpuUsPerCall === null ? '' : `, +${round1(h.serverCpuUsPerCall - f.serverCpuUsPerCall)} µs server CPU/send`;
  return (
    `with a before-send hook: ${h.perSecond} sends/s, p50 ${h.latencyMs.p50} ms (+${round1(h.latencyMs.p50 - f.latencyMs.p50)}), ` +
    `p99 ${h.latencyMs.p99} ms (+${round1(h.latencyMs.p99 - f.latencyMs.p99)})${cpu}, ${h.errorCount} errors`
  );
}

/** Rows of RESULTS.md for the hooked window. @param {Figures} f @param {Figures} h */
function hookFigures(f, h) {
  return [
    { figure: 'with a before-send hook (local, answers {}): sends/s', value: `${h.perSecond}${h.disturbed ? ' (disturbed run)' : ''}` },
    {
      figure: 'with a before-send hook: HTTP latency p50 / p99',
      value: `${h.latencyMs.p50} / ${h.latencyMs.p99} ms (+${round1(h.latencyMs.p50 - f.latencyMs.p50)} / +${round1(h.latencyMs.p99 - f.latencyMs.p99)})`,
    },
    ...(f.serverCpuUsPerCall === null || h.serverCpuUsPerCall === null
      ? []
      : [{ figure: 'server CPU added per send by the hook', value: `${round1(h.serverCpuUsPerCall - f.serverCpuUsPerCall)} µs (${h.serverCpuUsPerCall} against ${f.serverCpuUsPerCall})` }]),
    { figure: 'send errors with the hook', value: h.errorCount === 0 ? '0' : JSON.stringify(h.errors), bar: 'none', met: h.errorCount === 0 },
  ];
}

const round1 = (/** @type {number} */ x) => Math.round(x * 10) / 10;

/**
 * A before-send hook for the bench: answers every request `{}` (allow) at
 * once, over keep-alive, and counts them.
 */
async function startHookReceiver() {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}/before-send`,
    hostPort: `127.0.0.1:${port}`,
    count: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
