// Issue 7's latency figures: a channel of 100 members, every member connected,
// messages sent into it over REST at a fixed 500 a second; how long each
// delivery takes from the sender's request to the receiver's socket.
import { deliveryFigures, sendAndCollect, senderFigures } from '../lib/deliveries.mjs';
import { measureQuietly, positiveOption, MAX_DISTURBANCE_OPTION } from '../lib/measured.mjs';
import { call, issueTokenPairs, seedUsers, userId } from '../lib/seed.mjs';
import { createApp } from '../lib/server.mjs';
import { startSockets } from '../lib/sockets.mjs';
import { round3 } from '../lib/stats.mjs';
import { now } from '../lib/steady-sender.mjs';

export const description = 'a 100-member channel, every member connected, 500 REST sends/s: send-to-receive latency p50/p99 over all deliveries';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  members: { type: 'string', default: '100', description: 'members of the channel, each with one socket subscribed to it; they take turns sending' },
  rate: { type: 'string', default: '500', description: 'messages sent per second (open loop)' },
  duration: { type: 'string', default: '10', description: 'seconds of measured sending' },
  warmup: { type: 'string', default: '3', description: 'seconds of unmeasured sending first' },
  'receiver-processes': { type: 'string', default: '2', description: 'client processes the sockets are spread over' },
  'connect-in-flight': { type: 'string', default: '20', description: 'WebSocket handshakes at once, per client process' },
  'max-disturbance': MAX_DISTURBANCE_OPTION,
};

/** Issue 7's bars. */
const BARS = { p50Ms: 3, p99Ms: 20 };
const CHANNEL = 'latency';

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url, env, store, serverPid, options: raw, log }) {
  const o = {
    members: positiveOption(raw, 'members'),
    rate: positiveOption(raw, 'rate'),
    duration: positiveOption(raw, 'duration'),
    warmup: positiveOption(raw, 'warmup'),
    receiverProcesses: positiveOption(raw, 'receiver-processes'),
    connectInFlight: positiveOption(raw, 'connect-in-flight'),
    maxDisturbance: positiveOption(raw, 'max-disturbance'),
  };
  if (o.members > 100) throw new Error('--members: at most 100, the most a channel is created with over REST');

  log(`seeding: an app, ${o.members} users, one channel with all of them`);
  const app = await createApp(env, `bench latency ${new Date().toISOString()}`);
  await seedUsers(url, app.apiKey, o.members);
  const members = Array.from({ length: o.members }, (_, n) => userId(n));
  await call(url, 'POST', '/api/channels', { 'x-api-key': app.apiKey }, { type: 'messaging', id: CHANNEL, createdBy: members[0], members });
  const pairs = await issueTokenPairs(url, app.apiKey, members);
  const tokens = pairs.map((p) => p.token);

  const sockets = await startSockets(o.receiverProcesses);
  try {
    log(`opening ${o.members} sockets over ${o.receiverProcesses} processes`);
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
    const opened = await sockets.open(wsUrl, pairs.map((p) => ({ token: p.wsToken, channel: CHANNEL })), o.connectInFlight);
    if (opened.opened < o.members) throw new Error(`${o.members - opened.opened} sockets did not connect: ${JSON.stringify(opened.failures)}`);
    const groups = [{ sockets, opened: opened.opened }];
    const window = (/** @type {string} */ tag, /** @type {number} */ seconds) => sendAndCollect({ groups, url, channelId: CHANNEL, tokens, rate: o.rate, seconds, tag });

    log(`warm-up: ${o.warmup} s at ${o.rate} messages/s`);
    await window('warmup', o.warmup);
    let attempt = 0;
    const m = await measureQuietly({
      store,
      env,
      serverPid,
      loadPids: [...sockets.pids, process.pid],
      maxDisturbance: o.maxDisturbance,
      log,
      phase: () => {
        log(`measuring: ${o.duration} s at ${o.rate} messages/s to ${opened.opened} sockets`);
        return window(`m${(attempt += 1)}.${Math.round(now())}`, o.duration);
      },
    });
    const { sent, tallies, drainSeconds } = m.result;
    const [tally] = tallies;
    if (!tally) throw new Error('no tally');
    const d = deliveryFigures(sent, tally, opened.opened, o.duration);
    const s = senderFigures(sent);
    const perDelivery = (/** @type {number | undefined} */ seconds) => (seconds === undefined || d.deliveries === 0 ? null : round3((seconds * 1e6) / d.deliveries));
    const serverCpuUsPerDelivery = perDelivery(m.serverCpuSeconds);
    const serverCpuPercentOfOneCore = m.serverCpuSeconds === undefined ? null : round3((m.serverCpuSeconds / m.elapsedSeconds) * 100);
    const lost = d.missingDeliveries + d.skippedOffsets;
    const repeated = d.repeatedOffsets + d.extraDeliveries;
    const drops = Object.values(d.socketsDropped).reduce((a, n) => a + n, 0);
    const p50Met = d.latencyMs.p50 <= BARS.p50Ms;
    const p99Met = d.latencyMs.p99 <= BARS.p99Ms;
    const cpuText = serverCpuUsPerDelivery === null ? '' : `, server ${serverCpuPercentOfOneCore}% of a core (${serverCpuUsPerDelivery} µs/delivery)`;
    return {
      options: o,
      ...d,
      ...s,
      drainSeconds: round3(drainSeconds),
      connectMs: { p50: round3(opened.connectMs.percentile(50)), p99: round3(opened.connectMs.percentile(99)) },
      serverCpuPercentOfOneCore,
      serverCpuUsPerDelivery,
      postgresCpuUsPerDelivery: perDelivery(m.postgresCpuSeconds),
      clientCpuUsPerDelivery: perDelivery(m.loadCpuSeconds),
      otherProcessesCpuPercentOfOneCore: round3(((m.otherCpuSeconds ?? 0) / m.elapsedSeconds) * 100),
      disturbed: m.disturbed,
      summary:
        `${opened.opened} sockets, ${o.rate} msg/s: send-to-receive p50 ${d.latencyMs.p50} ms (bar ≤ ${BARS.p50Ms}: ${p50Met ? 'met' : 'NOT met'}), ` +
        `p99 ${d.latencyMs.p99} ms (bar ≤ ${BARS.p99Ms}: ${p99Met ? 'met' : 'NOT met'}), max ${d.latencyMs.max} ms; ${d.deliveriesPerSecond} deliveries/s; ` +
        `${d.deliveries}/${d.expectedDeliveries} delivered, ${d.missingDeliveries} missing, ${repeated} duplicated, ${drops} sockets dropped, ${s.sendErrorCount} send errors${cpuText}` +
        (m.disturbed ? ' — DISTURBED: other processes used the cores meanwhile; run again on a quiet machine' : ''),
      figures: [
        {
          figure: `${opened.opened} sockets, ${o.rate} msg/s: send-to-receive latency p50`,
          value: `${d.latencyMs.p50} ms${m.disturbed ? ' (disturbed run)' : ''}`,
          bar: `≤ ${BARS.p50Ms} ms`,
          met: p50Met,
        },
        { figure: 'send-to-receive latency p99 (max)', value: `${d.latencyMs.p99} ms (${d.latencyMs.max})`, bar: `≤ ${BARS.p99Ms} ms`, met: p99Met },
        { figure: 'deliveries/s', value: `${d.deliveriesPerSecond}` },
        { figure: 'delivered / expected, missing, duplicated', value: `${d.deliveries} / ${d.expectedDeliveries}, ${lost} missing, ${repeated} duplicated`, bar: 'none missing or duplicated', met: lost === 0 && repeated === 0 },
        ...(serverCpuUsPerDelivery === null ? [] : [{ figure: 'server CPU per delivery', value: `${serverCpuUsPerDelivery} µs (${serverCpuPercentOfOneCore}% of a core)` }]),
        { figure: 'send HTTP latency p50 / p99, errors', value: `${s.sendLatencyMs.p50} / ${s.sendLatencyMs.p99} ms, ${s.sendErrorCount} errors` },
      ],
    };
  } finally {
    await sockets.close().catch(() => {});
    await sockets.stop();
  }
}
