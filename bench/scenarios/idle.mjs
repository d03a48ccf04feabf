// Idle connections: what 10,000 authenticated, subscribed, silent sockets
// cost the server in memory, how long it takes to open them, and whether they
// stay open through the server's pings.
import { cpuUse, databasePids, readCpu } from '../lib/cpu-use.mjs';
import { heapAfterGc } from '../lib/inspector.mjs';
import { openFilesLimit, processMemory, waitForIdleProcess, waitForQuiet } from '../lib/machine.mjs';
import { addMembersInBulk, call, issueTokenPairs, seedUsers, userId } from '../lib/seed.mjs';
import { createApp } from '../lib/server.mjs';
import { startSockets } from '../lib/sockets.mjs';
import { round3 } from '../lib/stats.mjs';
import { now } from '../lib/steady-sender.mjs';

export const description = '10,000 idle connections, each subscribed to one of 100 channels: server memory per connection, time to connect them all';

/** run.mjs starts the server with its V8 inspector, for heap readings after a full GC. */
export const inspectServer = true;

/** Options of this scenario, in util.parseArgs form; all numbers. */
export const options = {
  connections: { type: 'string', default: '10000', description: 'sockets to open, one user each' },
  channels: { type: 'string', default: '100', description: 'channels the users are spread over; each socket subscribes to its user’s one channel' },
  'client-processes': { type: 'string', default: '4', description: 'client processes the sockets are spread over' },
  'connect-in-flight': { type: 'string', default: '25', description: 'WebSocket handshakes at once, per client process' },
  'warmup-connections': { type: 'string', default: '500', description: 'sockets opened and closed before the baseline reading, so that it includes warm code and pools' },
  settle: { type: 'string', default: '3', description: 'seconds of quiet before each memory reading' },
  hold: { type: 'string', default: '30', description: 'seconds the connections stay open after the reading (the server pings every 25 s)' },
};

/** Share of one core other processes may use while the sockets connect before the run is marked disturbed. */
const DISTURBED = 0.25;
/** Seconds before the after-close reading: past the server's delay before a user goes offline. */
const AFTER_CLOSE_SECONDS = 10;
/** Open files the server and each client process need beyond their sockets (modules, the database, logs). */
const SPARE_FILES = 256;

/**
 * @param {import('../run.mjs').ScenarioContext} ctx
 */
export async function run({ url, env, store, serverPid, inspectorUrl, options: raw, log }) {
  const o = {
    connections: Number(raw.connections),
    channels: Number(raw.channels),
    clientProcesses: Number(raw['client-processes']),
    connectInFlight: Number(raw['connect-in-flight']),
    warmupConnections: Number(raw['warmup-connections']),
    settle: Number(raw.settle),
    hold: Number(raw.hold),
  };
  for (const [name, value] of Object.entries(o)) {
    if (!(value >= 0) || (name !== 'warmupConnections' && name !== 'settle' && value === 0)) throw new Error(`--${name} must be a positive number`);
  }
  if (serverPid === undefined) throw new Error('idle measures the server process: with --url, give --server-pid');
  checkOpenFiles(serverPid, o.connections, Math.ceil(o.connections / o.clientProcesses));

  // Channel i holds users [i × perChannel, (i + 1) × perChannel): each user, and so each socket, is in one channel.
  const perChannel = Math.ceil(o.connections / o.channels);
  log(`seeding: an app, ${o.connections} users, ${o.channels} channels of ${perChannel}`);
  const app = await createApp(env, `bench idle ${new Date().toISOString()}`);
  const key = { 'x-api-key': app.apiKey };
  await seedUsers(url, app.apiKey, o.connections);
  const everyone = Array.from({ length: o.connections }, (_, n) => userId(n));
  const channelOf = (/** @type {number} */ n) => `idle-${String(Math.floor(n / perChannel)).padStart(4, '0')}`;
  for (let first = 0; first < o.connections; first += perChannel) {
    const members = everyone.slice(first, first + perChannel);
    await call(url, 'POST', '/api/channels', key, { type: 'messaging', id: channelOf(first), createdBy: members[0], members: members.slice(0, 100) });
    if (members.length > 100) await addMembersInBulk(env, app.id, channelOf(first), members.slice(100));
  }
  log(`issuing ${o.connections} wsTokens`);
  const tokens = await issueTokenPairs(url, app.apiKey, everyone, 16);
  const connections = tokens.map((t, n) => ({ token: t.wsToken, channel: channelOf(n) }));
  const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;

  /**
   * The server's memory after `settle` seconds (at least `minSeconds`), once its background work is
   * done (presence arrivals and departures write to the store), and a full GC.
   */
  const memory = async (minSeconds = 0) => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(o.settle, minSeconds) * 1000));
    const idle = await waitForIdleProcess(serverPid);
    if (!idle.idle) log(`the server was still busy after ${round3(idle.waitedSeconds)} s; reading its memory anyway`);
    const heap = inspectorUrl ? await heapAfterGc(inspectorUrl) : undefined;
    const rss = processMemory(serverPid);
    if (!rss) throw new Error('the server process is gone');
    return { ...rss, heapUsedBytes: heap?.heapUsedBytes ?? null };
  };

  const sockets = await startSockets(o.clientProcesses);
  try {
    if (o.warmupConnections > 0) {
      log(`warm-up: opening and closing ${o.warmupConnections} sockets`);
      await sockets.open(wsUrl, connections.slice(0, o.warmupConnections), o.connectInFlight);
      await sockets.close();
    }
    const before = await memory(o.warmupConnections > 0 ? AFTER_CLOSE_SECONDS : 0); // the warm-up's users gone offline
    const quiet = await waitForQuiet();
    if (!quiet.quiet) log(`the machine is busy (${round3(quiet.busyCores)} cores used by others); measuring anyway`);

    log(`opening ${o.connections} sockets over ${o.clientProcesses} processes`);
    const dbPids = await databasePids(store, env);
    const cpuBefore = readCpu({ serverPid, dbPids, loadPids: [...sockets.pids, process.pid] });
    const started = now();
    const opened = await sockets.open(wsUrl, connections, o.connectInFlight);
    const connectSeconds = (now() - started) / 1000;
    // The pool's backends as they are now: more of them opened while connecting.
    const connectCpu = cpuUse(cpuBefore, readCpu({ serverPid, dbPids: [...new Set([...dbPids, ...(await databasePids(store, env))])], loadPids: [...sockets.pids, process.pid] }));
    if (opened.opened === 0) throw new Error(`no socket connected: ${JSON.stringify(opened.failures)}`);
    log(`${opened.opened} sockets subscribed in ${round3(connectSeconds)} s${opened.opened < o.connections ? `; failures ${JSON.stringify(opened.failures)}` : ''}`);
    const connected = await memory();

    log(`holding them open for ${o.hold} s`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, o.hold * 1000 - o.settle * 1000)));
    const held = await memory();
    const tally = await sockets.report();

    await sockets.close();
    // A user goes offline some seconds after their last socket closes (5 s today): read after that.
    const closed = await memory(AFTER_CLOSE_SECONDS);
    return outcome({ o, opened, connectSeconds, connectCpu, before, connected, held, closed, tally });
  } finally {
    await sockets.close().catch(() => {});
    await sockets.stop();
  }
}

/**
 * Every socket is a file on both ends: fail early with the fix rather than
 * with EMFILE halfway through.
 * @param {number} serverPid
 * @param {number} connections
 * @param {number} perClient
 */
function checkOpenFiles(serverPid, connections, perClient) {
  const server = openFilesLimit(serverPid);
  const client = openFilesLimit('self'); // the client processes inherit it
  const short = [];
  if (server !== undefined && server < connections + SPARE_FILES) short.push(`the server may open ${server} files, it needs about ${connections + SPARE_FILES}`);
  if (client !== undefined && client < perClient + SPARE_FILES) short.push(`a client process may open ${client} files, it needs about ${perClient + SPARE_FILES}`);
  if (short.length > 0) {
    throw new Error(`${short.join('; ')}: raise the limit with \`ulimit -n\` in the shell that runs the bench, or use more --client-processes`);
  }
}

/** @typedef {{ rssBytes: number, peakRssBytes: number, heapUsedBytes: number | null }} Memory */

/**
 * @param {{
 *   o: Record<string, number>,
 *   opened: Awaited<ReturnType<import('../lib/sockets.mjs').Sockets['open']>>,
 *   connectSeconds: number, connectCpu: ReturnType<typeof cpuUse>,
 *   before: Memory, connected: Memory, held: Memory, closed: Memory,
 *   tally: Awaited<ReturnType<import('../lib/sockets.mjs').Sockets['report']>>,
 * }} m
 */
function outcome({ o, opened, connectSeconds, connectCpu, before, connected, held, closed, tally }) {
  const n = opened.opened;
  const perConnection = (/** @type {number | null} */ a, /** @type {number | null} */ b) => (a === null || b === null ? null : Math.round((b - a) / n));
  const mib = (/** @type {number} */ bytes) => round3(bytes / 2 ** 20);
  const kib = (/** @type {number | null} */ bytes) => (bytes === null ? null : round3(bytes / 1024));
  const rssPerConnection = perConnection(before.rssBytes, connected.rssBytes);
  const heapPerConnection = perConnection(before.heapUsedBytes, connected.heapUsedBytes);
  const drops = Object.values(tally.drops).reduce((a, x) => a + x, 0);
  // Connecting is measured once (10,000 sockets are not reopened lightly): a busy machine marks it instead.
  const disturbance = (connectCpu.otherCpuSeconds ?? 0) / connectSeconds;
  const disturbed = disturbance > DISTURBED;
  const figures = {
    connections: n,
    connectFailures: opened.failures,
    connectSeconds: round3(connectSeconds),
    connectionsPerSecond: round3(n / connectSeconds),
    connectMs: { p50: round3(opened.connectMs.percentile(50)), p99: round3(opened.connectMs.percentile(99)), max: round3(opened.connectMs.max) },
    serverCpuUsPerConnect: connectCpu.serverCpuSeconds === undefined ? null : round3((connectCpu.serverCpuSeconds * 1e6) / n),
    postgresCpuUsPerConnect: connectCpu.postgresCpuSeconds === undefined ? null : round3((connectCpu.postgresCpuSeconds * 1e6) / n),
    clientCpuUsPerConnect: round3((connectCpu.loadCpuSeconds * 1e6) / n),
    otherProcessesCpuPercentOfOneCoreWhileConnecting: round3(disturbance * 100),
    softirqCpuPercentOfOneCoreWhileConnecting: connectCpu.softirqCpuSeconds === undefined ? null : round3((connectCpu.softirqCpuSeconds / connectSeconds) * 100),
    memory: { before, connected, held, closed },
    rssBytesPerConnection: rssPerConnection,
    heapBytesPerConnection: heapPerConnection,
    rssBytesPerConnectionAfterHold: perConnection(before.rssBytes, held.rssBytes),
    heapBytesPerConnectionAfterHold: perConnection(before.heapUsedBytes, held.heapUsedBytes),
    rssAboveBaselineAfterCloseMiB: mib(closed.rssBytes - before.rssBytes),
    heapAboveBaselineAfterCloseMiB: closed.heapUsedBytes === null || before.heapUsedBytes === null ? null : mib(closed.heapUsedBytes - before.heapUsedBytes),
    socketsOpenAfterHold: tally.open,
    socketsDropped: tally.drops,
    pingsReceived: tally.pings,
    socketsPinged: tally.pinged,
    personalStreamPublications: tally.otherPublications,
  };
  const heapText = heapPerConnection === null ? '' : `, heap ${kib(heapPerConnection)} KiB/connection`;
  const allHeld = tally.open === o.connections && tally.pinged === o.connections && drops === 0;
  return {
    options: o,
    ...figures,
    disturbed,
    summary:
      `${n}/${o.connections} connected in ${figures.connectSeconds} s (${figures.connectionsPerSecond}/s, p99 ${figures.connectMs.p99} ms); ` +
      `server RSS ${mib(before.rssBytes)} → ${mib(connected.rssBytes)} MiB = ${kib(rssPerConnection)} KiB/connection${heapText}; ` +
      `after ${o.hold} s: ${tally.open} open, ${tally.pinged} pinged and answering, ${drops} dropped` +
      (disturbed ? ` — DISTURBED: other processes used ${round3(disturbance)} of a core while connecting; run again on a quiet machine` : ''),
    figures: [
      { figure: `${n} idle connections: server RSS per connection`, value: `${kib(rssPerConnection)} KiB (${mib(before.rssBytes)} → ${mib(connected.rssBytes)} MiB)` },
      ...(heapPerConnection === null ? [] : [{ figure: 'server heap per connection (after full GC)', value: `${kib(heapPerConnection)} KiB` }]),
      {
        figure: `connect + subscribe ${n} sockets`,
        value: `${figures.connectSeconds} s (${figures.connectionsPerSecond}/s; p50 / p99 ${figures.connectMs.p50} / ${figures.connectMs.p99} ms)${disturbed ? ' (disturbed run)' : ''}`,
      },
      ...(figures.serverCpuUsPerConnect === null ? [] : [{ figure: 'server CPU per connect + subscribe', value: `${figures.serverCpuUsPerConnect} µs` }]),
      ...(figures.postgresCpuUsPerConnect === null ? [] : [{ figure: 'PostgreSQL CPU per connect + subscribe', value: `${figures.postgresCpuUsPerConnect} µs` }]),
      {
        figure: `open and answering pings after ${o.hold} s`,
        value: `${tally.open} open, ${tally.pinged} pinged, ${drops} dropped, of ${o.connections}`,
        bar: 'all',
        met: allHeld,
      },
      { figure: 'server RSS above baseline after closing all', value: `${figures.rssAboveBaselineAfterCloseMiB} MiB` },
    ],
  };
}
