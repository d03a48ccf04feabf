// Fan-out: one channel watched by 1,000 sockets, messages sent into it over
// REST at a steady rate. What every receiver gets, how many deliveries a
// second the gateway sustains, and how long a message takes from the sender's
// request to each receiver's socket.
import { cpuUse, databasePids, readCpu } from '../lib/cpu-use.mjs';
import { waitForQuiet } from '../lib/machine.mjs';
import { MAX_DISTURBANCE_OPTION } from '../lib/measured.mjs';
import { addMembersInBulk, call, issueTokenPairs, seedUsers, userId } from '../lib/seed.mjs';
import { createApp } from '../lib/server.mjs';
import { startSockets } from '../lib/sockets.mjs';
import { Histogram, round3 } from '../lib/stats.mjs';
import { now, sendSteadily } from '../lib/steady-sender.mjs';

export const description = 'REST sends at a steady rate into a channel that 1,000 sockets subscribe to: deliveries/s, send-to-receive latency, missing deliveries';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  receivers: { type: 'string', default: '1000', description: 'sockets subscribed to the channel, one user each' },
  rate: {
    type: 'string',
    default: '20',
    description: 'messages sent per second (open loop); a list (20,100,200) measures each rate in turn over the same sockets, the first as the headline',
  },
  duration: { type: 'string', default: '10', description: 'seconds of measured sending' },
  warmup: { type: 'string', default: '3', description: 'seconds of unmeasured sending first' },
  'receiver-processes': { type: 'string', default: '2', description: 'client processes the sockets are spread over' },
  'connect-in-flight': { type: 'string', default: '20', description: 'WebSocket handshakes at once, per client process' },
  framing: { type: 'string', default: 'json', description: 'the protocol framing the sockets speak: json, or protobuf (the centrifuge-protobuf subprotocol)' },
  'max-disturbance': MAX_DISTURBANCE_OPTION,
};

const CHANNEL = 'fanout';
/** Measurements of the window before a disturbed one is kept (and marked). */
const ATTEMPTS = 5;
/** Deliveries still arriving after the last send is answered: wait for them while they keep coming. */
const DRAIN_IDLE_MS = 3000;

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url, env, store, serverPid, options: raw, log }) {
  const rates = String(raw.rate).split(',').map(Number);
  if (!rates.every((r) => r > 0)) throw new Error('--rate must be a positive number or a comma-separated list of them');
  const o = {
    receivers: Number(raw.receivers),
    rate: /** @type {number} */ (rates[0]),
    duration: Number(raw.duration),
    warmup: Number(raw.warmup),
    receiverProcesses: Number(raw['receiver-processes']),
    connectInFlight: Number(raw['connect-in-flight']),
    maxDisturbance: raw['max-disturbance'] === 'off' ? Infinity : Number(raw['max-disturbance']),
  };
  for (const [name, value] of Object.entries(o)) {
    if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
  }
  const framing = String(raw.framing);
  if (framing !== 'json' && framing !== 'protobuf') throw new Error('--framing must be json or protobuf');

  // u000000 sends; u000001 … receive. The sender is a member too but holds no socket.
  log(`seeding: an app, ${o.receivers + 1} users, one channel with all of them`);
  const app = await createApp(env, `bench fanout ${new Date().toISOString()}`);
  const key = { 'x-api-key': app.apiKey };
  await seedUsers(url, app.apiKey, o.receivers + 1);
  const everyone = Array.from({ length: o.receivers + 1 }, (_, n) => userId(n));
  await call(url, 'POST', '/api/channels', key, { type: 'messaging', id: CHANNEL, createdBy: everyone[0], members: everyone.slice(0, 100) });
  if (everyone.length > 100) await addMembersInBulk(env, app.id, CHANNEL, everyone.slice(100));
  const [sender, ...receivers] = await issueTokenPairs(url, app.apiKey, everyone);
  if (!sender) throw new Error('no sender token');
  const memberCount = (await call(url, 'GET', `/api/channels/${CHANNEL}`, { authorization: `Bearer ${sender.token}` })).channel.memberCount;
  if (memberCount !== everyone.length) throw new Error(`seeding went wrong: ${memberCount} members, not ${everyone.length}`);

  const sockets = await startSockets(o.receiverProcesses);
  const loadPids = [...sockets.pids, process.pid];
  try {
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
    log(`opening ${o.receivers} sockets over ${o.receiverProcesses} processes`);
    const connectStart = now();
    const opened = await sockets.open(wsUrl, receivers.map((r) => ({ token: r.wsToken, channel: CHANNEL })), o.connectInFlight, framing);
    const connectSeconds = (now() - connectStart) / 1000;
    if (opened.opened === 0) throw new Error(`no socket connected: ${JSON.stringify(opened.failures)}`);
    log(`${opened.opened} sockets subscribed in ${round3(connectSeconds)} s${opened.opened < o.receivers ? `; failures ${JSON.stringify(opened.failures)}` : ''}`);

    /**
     * Sends for `seconds` and waits for the deliveries to stop coming.
     * @param {string} tag
     * @param {number} seconds
     * @param {number} rate
     */
    const phase = async (tag, seconds, rate) => {
      const startAt = now() + 200;
      await sockets.watch(tag, startAt, startAt + seconds * 1000);
      const sent = await sendSteadily({ url, channelId: CHANNEL, token: sender.token, rate, seconds, tag, startAt });
      const expected = sent.acknowledged.filter(Boolean).length * opened.opened;
      const drainStart = now();
      for (let seen = -1, lastChange = now(); ; ) {
        const count = await sockets.count();
        if (count >= expected) break;
        if (count !== seen) [seen, lastChange] = [count, now()];
        if (now() - lastChange > DRAIN_IDLE_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { sent, expected, drainSeconds: (now() - drainStart) / 1000, tally: await sockets.report() };
    };

    /**
     * One measured window at `rate` on a quiet machine; measured again when other processes
     * took more than `maxDisturbance` of a core meanwhile.
     * @param {number} rate
     */
    const measure = async (rate) => {
      for (let attempt = 1; ; attempt += 1) {
        const quiet = await waitForQuiet({ threshold: Math.min(o.maxDisturbance, 0.5) });
        if (!quiet.quiet) log(`the machine is busy (${round3(quiet.busyCores)} cores used by others); measuring anyway`);
        log(`measuring: ${o.duration} s at ${rate} messages/s to ${opened.opened} sockets`);
        const before = readCpu({ serverPid, dbPids: await databasePids(store, env), loadPids });
        const started = now();
        const measured = await phase(`r${rate}a${attempt}`, o.duration, rate);
        const elapsed = (now() - started) / 1000;
        const cpu = cpuUse(before, readCpu({ serverPid, dbPids: await databasePids(store, env), loadPids }));
        const disturbance = (cpu.otherCpuSeconds ?? 0) / elapsed;
        const disturbed = disturbance > o.maxDisturbance;
        if (disturbed && attempt < ATTEMPTS) {
          log(`other processes used ${round3(disturbance)} of a core during the window; measuring it again`);
          continue;
        }
        if (disturbed) log(`other processes used ${round3(disturbance)} of a core; kept, marked disturbed, after ${ATTEMPTS} attempts`);
        return outcome({ o, rate, opened, connectSeconds, measured, cpu, elapsed, disturbance, disturbed });
      }
    };

    log(`warm-up: ${o.warmup} s at ${o.rate} messages/s`);
    await phase('warmup', o.warmup, o.rate);
    const windows = [];
    for (const rate of rates) windows.push(await measure(rate));
    return combine(rates.length > 1 ? { ...o, framing, rates } : { ...o, framing }, windows);
  } finally {
    await sockets.close().catch(() => {});
    await sockets.stop();
  }
}

/**
 * The figures of the measured window.
 * @param {{
 *   o: { receivers: number, duration: number } & Record<string, number>,
 *   rate: number,
 *   opened: Awaited<ReturnType<import('../lib/sockets.mjs').Sockets['open']>>,
 *   connectSeconds: number,
 *   measured: { sent: import('../lib/steady-sender.mjs').SendResult, expected: number, drainSeconds: number, tally: Awaited<ReturnType<import('../lib/sockets.mjs').Sockets['report']>> },
 *   cpu: ReturnType<typeof cpuUse>, elapsed: number, disturbance: number, disturbed: boolean,
 * }} m
 */
function outcome({ o, rate, opened, connectSeconds, measured, cpu, elapsed, disturbance, disturbed }) {
  const { sent, expected, tally } = measured;
  const acknowledged = sent.acknowledged.filter(Boolean).length;
  // Missing: an acknowledged message some open socket never got. Deliveries of unacknowledged messages are counted apart.
  let missing = 0;
  let ofUnacknowledged = 0;
  sent.acknowledged.forEach((ok, seq) => {
    const got = tally.perMessage[seq] ?? 0;
    if (ok) missing += Math.max(0, opened.opened - got);
    else ofUnacknowledged += got;
  });
  // Per message, its first and its last receiver: the pipeline (send, commit, bus, one write) and the whole fan-out.
  const first = new Histogram();
  const last = new Histogram();
  sent.acknowledged.forEach((ok, seq) => {
    const [a, b] = [tally.firstMs[seq], tally.lastMs[seq]];
    if (!ok || a == null || b == null) return;
    first.record(a * 1000);
    last.record(b * 1000);
  });
  const deliveriesPerSecond = tally.inWindow / o.duration;
  const lat = tally.latencyUs;
  const ms = (/** @type {number} */ us) => round3(us / 1000);
  const perDelivery = (/** @type {number | undefined} */ seconds) => (seconds === undefined || tally.deliveries === 0 ? null : round3((seconds * 1e6) / tally.deliveries));
  const sendErrors = Object.values(sent.errors).reduce((a, n) => a + n, 0);
  const drops = Object.values(tally.drops).reduce((a, n) => a + n, 0);
  const figures = {
    sockets: opened.opened,
    connectFailures: opened.failures,
    connectSeconds: round3(connectSeconds),
    connectMs: { p50: round3(opened.connectMs.percentile(50)), p99: round3(opened.connectMs.percentile(99)), max: round3(opened.connectMs.max) },
    messagesSent: sent.total,
    messagesAcknowledged: acknowledged,
    sendErrors: sent.errors,
    sendLatencyMs: { p50: ms(sent.latencyUs.percentile(50)), p99: ms(sent.latencyUs.percentile(99)), max: ms(sent.latencyUs.max) },
    senderMaxLagMs: round3(sent.maxLagMs),
    expectedDeliveries: expected,
    deliveries: tally.deliveries,
    missingDeliveries: missing,
    deliveriesOfUnacknowledged: ofUnacknowledged,
    repeatedOffsets: tally.repeatedOffsets,
    skippedOffsets: tally.skippedOffsets,
    drainSeconds: round3(measured.drainSeconds),
    deliveriesPerSecond: round3(deliveriesPerSecond),
    perSecondDeliveries: tally.perSecond,
    latencyMs: { p50: ms(lat.percentile(50)), p90: ms(lat.percentile(90)), p99: ms(lat.percentile(99)), max: ms(lat.max), mean: ms(lat.mean()) },
    firstReceiverLatencyMs: { p50: ms(first.percentile(50)), p99: ms(first.percentile(99)), max: ms(first.max) },
    lastReceiverLatencyMs: { p50: ms(last.percentile(50)), p99: ms(last.percentile(99)), max: ms(last.max) },
    socketsOpenAtEnd: tally.open,
    personalStreamPublications: tally.otherPublications,
    socketsDropped: tally.drops,
    serverCpuPercentOfOneCore: cpu.serverCpuSeconds === undefined ? null : round3((cpu.serverCpuSeconds / elapsed) * 100),
    serverCpuUsPerDelivery: perDelivery(cpu.serverCpuSeconds),
    postgresCpuUsPerDelivery: perDelivery(cpu.postgresCpuSeconds),
    clientCpuUsPerDelivery: perDelivery(cpu.loadCpuSeconds),
    machineBusyPercent: cpu.machineBusy === undefined ? null : round3(cpu.machineBusy * 100),
    otherProcessesCpuPercentOfOneCore: round3(disturbance * 100),
    softirqCpuPercentOfOneCore: cpu.softirqCpuSeconds === undefined ? null : round3((cpu.softirqCpuSeconds / elapsed) * 100),
    windowSeconds: round3(elapsed),
  };
  const cpuText = figures.serverCpuPercentOfOneCore === null ? '' : `, server ${figures.serverCpuPercentOfOneCore}% of a core (${figures.serverCpuUsPerDelivery} µs/delivery)`;
  const lost = missing + tally.skippedOffsets;
  return {
    rate,
    ...figures,
    disturbed,
    summary:
      `${figures.sockets} sockets, ${rate} msg/s: ${figures.deliveriesPerSecond} deliveries/s, ` +
      `latency p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, max ${figures.latencyMs.max} ms; ` +
      `${tally.deliveries}/${expected} delivered (${missing} missing), ${drops} sockets dropped, ${sendErrors} send errors${cpuText}` +
      (disturbed ? ` — DISTURBED: other processes used ${round3(disturbance)} of a core; run again on a quiet machine` : ''),
    figures: [
      { figure: `${figures.sockets} sockets, ${rate} msg/s: deliveries/s`, value: `${figures.deliveriesPerSecond}${disturbed ? ' (disturbed run)' : ''}` },
      { figure: 'send-to-receive latency p50 / p99 / max', value: `${figures.latencyMs.p50} / ${figures.latencyMs.p99} / ${figures.latencyMs.max} ms` },
      { figure: 'delivered / expected', value: `${tally.deliveries} / ${expected}`, bar: 'none missing', met: lost === 0 },
      { figure: 'sockets dropped', value: drops === 0 ? '0' : JSON.stringify(tally.drops), bar: 'none', met: drops === 0 },
      ...(figures.serverCpuUsPerDelivery === null
        ? []
        : [{ figure: 'server CPU', value: `${figures.serverCpuPercentOfOneCore}% of a core, ${figures.serverCpuUsPerDelivery} µs/delivery` }]),
      {
        figure: 'per message: first / last receiver p50',
        value: `${figures.firstReceiverLatencyMs.p50} / ${figures.lastReceiverLatencyMs.p50} ms (p99 ${figures.firstReceiverLatencyMs.p99} / ${figures.lastReceiverLatencyMs.p99})`,
      },
      { figure: 'send HTTP latency p50 / p99', value: `${figures.sendLatencyMs.p50} / ${figures.sendLatencyMs.p99} ms` },
      { figure: `connect + subscribe ${figures.sockets} sockets`, value: `${figures.connectSeconds} s` },
    ],
  };
}

/**
 * The first rate's window is the headline; further rates of a sweep add a
 * line each to the summary and a row each to RESULTS.md, and all of them are
 * in the JSON's `sweep`.
 * @param {object} options
 * @param {ReturnType<typeof outcome>[]} windows
 */
function combine(options, windows) {
  const [headline, ...more] = windows;
  if (!headline) throw new Error('no measurement');
  const brief = (/** @type {ReturnType<typeof outcome>} */ w) =>
    `${w.deliveriesPerSecond}/s, p50 / p99 ${w.latencyMs.p50} / ${w.latencyMs.p99} ms, ${w.missingDeliveries} missing, ` +
    `${Object.values(w.socketsDropped).reduce((a, n) => a + n, 0)} dropped${w.disturbed ? ' (disturbed)' : ''}`;
  const { summary, figures, ...rest } = headline;
  return {
    options,
    ...rest,
    disturbed: windows.some((w) => w.disturbed),
    summary: `${/** @type {{ framing?: string }} */ (options).framing ?? 'json'} framing: ${[summary, ...more.map((w) => `at ${w.rate} msg/s: ${brief(w)}`)].join(' | ')}`,
    figures: [...figures, ...more.map((w) => ({ figure: `at ${w.rate} msg/s: deliveries/s, latency, missing, dropped`, value: brief(w) }))],
    ...(more.length > 0 ? { sweep: windows.map(({ summary: _s, figures: _f, perSecondDeliveries: _p, ...w }) => w) } : {}),
  };
}
