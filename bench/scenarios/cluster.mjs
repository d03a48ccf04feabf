// Two server processes on one PostgreSQL and one Redis: messages sent through
// process A at a steady rate into a channel whose members' sockets are split
// over A and B. What each side receives, and how much later B's sockets get a
// message than A's (the Redis hop).
import { deliveryFigures, mergeTallies, sendAndCollect, senderFigures } from '../lib/deliveries.mjs';
import { processCpuSeconds } from '../lib/machine.mjs';
import { measureQuietly, positiveOption, MAX_DISTURBANCE_OPTION } from '../lib/measured.mjs';
import { call, issueTokenPairs, seedUsers, userId } from '../lib/seed.mjs';
import { createApp } from '../lib/server.mjs';
import { startSockets } from '../lib/sockets.mjs';
import { round3 } from '../lib/stats.mjs';
import { Redis } from 'ioredis';
import { now } from '../lib/steady-sender.mjs';

export const description = 'two server processes on one PostgreSQL and one Redis: sends through A, sockets on A and B; deliveries/s, latency on each side';

/** run.mjs gives the servers REDIS_URL (--redis-url). */
export const needsRedis = true;
/** Several processes share one store only on PostgreSQL. */
export const stores = ['postgres'];
export const defaultStore = 'postgres';
export const storeNote = 'several server processes share one store only on PostgreSQL (SQLite is one process’s file)';

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  members: { type: 'string', default: '100', description: 'members of the channel, each with one socket: the first half on A, the rest on B' },
  rate: { type: 'string', default: '100', description: 'messages sent per second through A (open loop), the members taking turns' },
  duration: { type: 'string', default: '10', description: 'seconds of measured sending' },
  warmup: { type: 'string', default: '3', description: 'seconds of unmeasured sending first' },
  'connect-in-flight': { type: 'string', default: '20', description: 'WebSocket handshakes at once, per client process' },
  'max-disturbance': MAX_DISTURBANCE_OPTION,
};

const CHANNEL = 'cluster';

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url, env, store, serverPid, options: raw, log, startAnotherServer }) {
  const o = {
    members: positiveOption(raw, 'members'),
    rate: positiveOption(raw, 'rate'),
    duration: positiveOption(raw, 'duration'),
    warmup: positiveOption(raw, 'warmup'),
    connectInFlight: positiveOption(raw, 'connect-in-flight'),
    maxDisturbance: positiveOption(raw, 'max-disturbance'),
  };
  if (o.members < 2 || o.members > 100) throw new Error('--members: 2 to 100 (a channel is created with at most 100 over REST)');
  if (!startAnotherServer || !env.REDIS_URL) throw new Error('cluster starts its own servers, with REDIS_URL');
  const b = await startAnotherServer('server-b');
  const redisPid = await localRedisPid(env.REDIS_URL);

  log(`seeding through A: an app, ${o.members} users, one channel with all of them`);
  const app = await createApp(env, `bench cluster ${new Date().toISOString()}`);
  await seedUsers(url, app.apiKey, o.members);
  const members = Array.from({ length: o.members }, (_, n) => userId(n));
  await call(url, 'POST', '/api/channels', { 'x-api-key': app.apiKey }, { type: 'messaging', id: CHANNEL, createdBy: members[0], members });
  const pairs = await issueTokenPairs(url, app.apiKey, members);
  const half = Math.ceil(o.members / 2);
  const sides = [
    { name: 'A', url, pairs: pairs.slice(0, half), sockets: await startSockets(1) },
    { name: 'B', url: b.url, pairs: pairs.slice(half), sockets: await startSockets(1) },
  ];
  try {
    /** @type {{ sockets: import('../lib/sockets.mjs').Sockets, opened: number }[]} */
    const groups = [];
    for (const side of sides) {
      log(`opening ${side.pairs.length} sockets on ${side.name}`);
      const wsUrl = `${side.url.replace(/^http/, 'ws')}/ws`;
      const opened = await side.sockets.open(wsUrl, side.pairs.map((p) => ({ token: p.wsToken, channel: CHANNEL })), o.connectInFlight);
      if (opened.opened < side.pairs.length) throw new Error(`${side.pairs.length - opened.opened} sockets on ${side.name} did not connect: ${JSON.stringify(opened.failures)}`);
      groups.push({ sockets: side.sockets, opened: opened.opened });
    }
    const tokens = pairs.map((p) => p.token);
    const window = (/** @type {string} */ tag, /** @type {number} */ seconds) => sendAndCollect({ groups, url, channelId: CHANNEL, tokens, rate: o.rate, seconds, tag });

    log(`warm-up: ${o.warmup} s at ${o.rate} messages/s through A`);
    await window('warmup', o.warmup);
    let attempt = 0;
    const m = await measureQuietly({
      store,
      env,
      serverPid,
      moreServers: [b.pid, ...(redisPid === undefined ? [] : [redisPid])],
      loadPids: [...sides.flatMap((s) => s.sockets.pids), process.pid],
      maxDisturbance: o.maxDisturbance,
      log,
      phase: () => {
        log(`measuring: ${o.duration} s at ${o.rate} messages/s through A to ${o.members} sockets on A and B`);
        return window(`m${(attempt += 1)}.${Math.round(now())}`, o.duration);
      },
    });
    const { sent, tallies, drainSeconds } = m.result;
    const [tallyA, tallyB] = tallies;
    const [groupA, groupB] = groups;
    if (!tallyA || !tallyB || !groupA || !groupB) throw new Error('no tally');
    const onA = deliveryFigures(sent, tallyA, groupA.opened, o.duration);
    const onB = deliveryFigures(sent, tallyB, groupB.opened, o.duration);
    const all = deliveryFigures(sent, mergeTallies(tallies), groupA.opened + groupB.opened, o.duration);
    const s = senderFigures(sent);
    const cpuA = m.serverCpuSeconds;
    const cpuB = m.moreServersCpuSeconds[0];
    const cpuRedis = redisPid === undefined ? undefined : m.moreServersCpuSeconds[1];
    const perDelivery = (/** @type {number | undefined} */ seconds) => (seconds === undefined || all.deliveries === 0 ? null : round3((seconds * 1e6) / all.deliveries));
    const percent = (/** @type {number | undefined} */ seconds) => (seconds === undefined ? null : round3((seconds / m.elapsedSeconds) * 100));
    const cpu = {
      serverACpuPercentOfOneCore: percent(cpuA),
      serverBCpuPercentOfOneCore: percent(cpuB),
      serverACpuUsPerDelivery: perDelivery(cpuA),
      serverBCpuUsPerDelivery: perDelivery(cpuB),
      postgresCpuPercentOfOneCore: percent(m.postgresCpuSeconds),
      /** The whole Redis server's, shared with whatever else uses it. */
      redisCpuPercentOfOneCore: percent(cpuRedis),
      clientCpuUsPerDelivery: perDelivery(m.loadCpuSeconds),
      otherProcessesCpuPercentOfOneCore: round3(((m.otherCpuSeconds ?? 0) / m.elapsedSeconds) * 100),
    };
    const lost = all.missingDeliveries + all.skippedOffsets;
    const repeated = all.repeatedOffsets + all.extraDeliveries;
    const drops = Object.values(all.socketsDropped).reduce((a, n) => a + n, 0);
    const side = (/** @type {ReturnType<typeof deliveryFigures>} */ f) => `p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`;
    return {
      options: o,
      servers: { a: { pid: serverPid, url }, b: { pid: b.pid, url: b.url } },
      deliveriesPerSecond: all.deliveriesPerSecond,
      deliveries: all.deliveries,
      expectedDeliveries: all.expectedDeliveries,
      missingDeliveries: all.missingDeliveries,
      duplicatedDeliveries: repeated,
      skippedOffsets: all.skippedOffsets,
      socketsDropped: all.socketsDropped,
      onA,
      onB,
      ...s,
      ...cpu,
      drainSeconds: round3(drainSeconds),
      disturbed: m.disturbed,
      summary:
        `${o.rate} msg/s through A to ${groupA.opened} sockets on A and ${groupB.opened} on B: ${all.deliveriesPerSecond} deliveries/s; ` +
        `on A ${side(onA)}; on B ${side(onB)}; ${all.deliveries}/${all.expectedDeliveries} delivered, ${all.missingDeliveries} missing, ${repeated} duplicated, ` +
        `${drops} sockets dropped, ${s.sendErrorCount} send errors; CPU A ${cpu.serverACpuPercentOfOneCore}%, B ${cpu.serverBCpuPercentOfOneCore}%, ` +
        `PostgreSQL ${cpu.postgresCpuPercentOfOneCore}%, Redis ${cpu.redisCpuPercentOfOneCore ?? '?'}% of a core` +
        (m.disturbed ? ' — DISTURBED: other processes used the cores meanwhile; run again on a quiet machine' : ''),
      figures: [
        { figure: `2 processes, ${o.rate} msg/s through A: deliveries/s`, value: `${all.deliveriesPerSecond}${m.disturbed ? ' (disturbed run)' : ''}` },
        { figure: `send-to-receive latency on A (${groupA.opened} sockets) p50 / p99`, value: `${onA.latencyMs.p50} / ${onA.latencyMs.p99} ms` },
        { figure: `send-to-receive latency on B (${groupB.opened} sockets, through Redis) p50 / p99`, value: `${onB.latencyMs.p50} / ${onB.latencyMs.p99} ms` },
        {
          figure: 'delivered / expected, missing, duplicated',
          value: `${all.deliveries} / ${all.expectedDeliveries}, ${lost} missing, ${repeated} duplicated`,
          bar: 'none missing or duplicated',
          met: lost === 0 && repeated === 0,
        },
        {
          figure: 'CPU: server A / server B / PostgreSQL / Redis, % of a core',
          value: `${cpu.serverACpuPercentOfOneCore} / ${cpu.serverBCpuPercentOfOneCore} / ${cpu.postgresCpuPercentOfOneCore} / ${cpu.redisCpuPercentOfOneCore ?? '?'}`,
        },
        { figure: 'send HTTP latency p50 / p99, errors', value: `${s.sendLatencyMs.p50} / ${s.sendLatencyMs.p99} ms, ${s.sendErrorCount} errors` },
      ],
    };
  } finally {
    for (const s of sides) {
      await s.sockets.close().catch(() => {});
      await s.sockets.stop();
    }
  }
}

/**
 * The Redis server's process id when it runs on this machine (its CPU is read
 * from /proc like the others'), from `INFO server`.
 * @param {string} url
 */
async function localRedisPid(url) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const pid = Number(/^process_id:(\d+)/m.exec(await redis.info('server'))?.[1]);
    return Number.isInteger(pid) && processCpuSeconds(pid) !== undefined ? pid : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}
