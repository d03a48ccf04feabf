// Issue 16's webhook figures. (1) Delivery rate: N messages sent with one
// webhook to a local receiver, timed from the first send until the receiver
// holds all N (each channel's events arrive in order, one at a time per
// channel, so the figure is given for one channel and for several). (2) The
// cost per send: the same closed-loop load with no webhook, with one, and
// with one and a before-send hook, on one server.
import { performance } from 'node:perf_hooks';
import { startLoad } from '../lib/load.mjs';
import { loadFigures, measureQuietly, positiveOption, MAX_DISTURBANCE_OPTION } from '../lib/measured.mjs';
import { call, issueTokens, seedUsers, userId } from '../lib/seed.mjs';
import { processCpuSeconds } from '../lib/machine.mjs';
import { createApp } from '../lib/server.mjs';
import { round3 } from '../lib/stats.mjs';
import { startWebhookReceiver } from '../lib/webhook-receiver.mjs';

export const description =
  'a webhook to a local receiver: events delivered per second (N sends, first send until the receiver has all N), and the cost per send with no webhook, a webhook, and a webhook plus a before-send hook';

/** Options of this scenario, in util.parseArgs form. */
export const options = {
  events: { type: 'string', default: '2000', description: 'messages sent for each delivery-rate figure' },
  channels: { type: 'string', default: '1,20', description: 'the messages spread over this many channels, one figure per value (comma-separated)' },
  'send-concurrency': { type: 'string', default: '16', description: 'sends in flight while sending the N messages' },
  duration: { type: 'string', default: '10', description: 'seconds of each measured cost window' },
  warmup: { type: 'string', default: '3', description: 'seconds of unmeasured load before each cost window' },
  concurrency: { type: 'string', default: '32', description: 'sends in flight in the cost windows (closed loops, one member each)' },
  'load-processes': { type: 'string', default: '2', description: 'load generator processes' },
  members: { type: 'string', default: '20', description: 'members of each channel, all of them senders' },
  'max-disturbance': MAX_DISTURBANCE_OPTION,
};

/** How long the receiver may take to hold every event before the run is called broken. */
const DRAIN_TIMEOUT_MS = 300_000;
const COST_CHANNEL = 'cost';

/** @param {import('../run.mjs').ScenarioContext} ctx */
export async function run({ env, store, options: raw, log, startAnotherServer }) {
  const o = {
    events: positiveOption(raw, 'events'),
    channels: String(raw.channels).split(',').map((n) => Number(n.trim())),
    sendConcurrency: positiveOption(raw, 'send-concurrency'),
    duration: positiveOption(raw, 'duration'),
    warmup: positiveOption(raw, 'warmup'),
    concurrency: positiveOption(raw, 'concurrency'),
    loadProcesses: positiveOption(raw, 'load-processes'),
    members: positiveOption(raw, 'members'),
    maxDisturbance: positiveOption(raw, 'max-disturbance'),
  };
  if (o.channels.some((n) => !(Number.isInteger(n) && n > 0))) throw new Error('--channels: positive whole numbers, comma-separated');
  if (o.members > 100) throw new Error('--members: at most 100, the most a channel is created with over REST');
  if (!startAnotherServer) throw new Error('webhooks starts a server of its own (its receiver must be on the outbound allowlist): it cannot use --url');

  const receiver = await startWebhookReceiver();
  // A loopback receiver is reachable only through the operator's allowlist, which a server reads when it starts.
  process.env.CHATSDK_OUTBOUND_ALLOW_HOSTS = receiver.hostPort;
  const server = await startAnotherServer('webhooks');
  const { url, pid: serverPid } = server;
  log(`every phase on the server started with the allowlist (pid ${serverPid}); the receiver is http://${receiver.hostPort} in this process`);

  const app = await createApp(env, `bench webhooks ${new Date().toISOString()}`);
  const key = { 'x-api-key': app.apiKey };
  const members = Array.from({ length: o.members }, (_, n) => userId(n));
  await seedUsers(url, app.apiKey, o.members);
  const channelIds = [COST_CHANNEL, ...Array.from({ length: Math.max(...o.channels) }, (_, n) => `rate-${n}`)];
  for (const id of channelIds) await call(url, 'POST', '/api/channels', key, { type: 'messaging', id, createdBy: members[0], members });
  const tokens = await issueTokens(url, app.apiKey, members);
  const addWebhook = async (/** @type {string} */ hookUrl) => (await call(url, 'POST', '/api/app/webhooks', key, { url: hookUrl, events: ['message.new'] })).webhook.id;
  // `{}`: the set-up client always says JSON, and an empty JSON body is not one.
  const removeWebhook = (/** @type {string} */ id) => call(url, 'DELETE', `/api/app/webhooks/${id}`, key, {});

  const load = await startLoad(o.loadProcesses);
  /** @type {Record<string, ReturnType<typeof loadFigures> & { drain?: Drain }>} */
  const cost = {};
  /** @type {Rate[]} */
  const rates = [];
  let hookRequests = 0;
  try {
    const phase = (/** @type {number} */ seconds) =>
      load.run({ url, method: 'POST', path: `/api/channels/${COST_CHANNEL}/messages`, tokens, tokenPerLoop: true, concurrency: o.concurrency, seconds, expectStatus: 201 });
    // The receiver answers in this process: its CPU is the load's, not a disturbance.
    const loadPids = [...load.pids, process.pid];
    const window = async (/** @type {string} */ what) => {
      log(`warm-up ${what}: ${o.warmup} s`);
      await phase(o.warmup);
      log(`measuring ${what}: ${o.duration} s, ${o.concurrency} in flight over ${o.loadProcesses} processes`);
      return loadFigures(await measureQuietly({ store, env, serverPid, loadPids, maxDisturbance: o.maxDisturbance, log, phase: () => phase(o.duration) }));
    };

    cost.none = await window('with no webhook');

    const plain = receiver.path('cost');
    const plainId = await addWebhook(plain.url);
    const sentBefore = await lastSeq(url, tokens[0]);
    cost.webhook = await window('with a webhook');
    cost.webhook.drain = await drain(receiver, plain.tally, (await lastSeq(url, tokens[0])) - sentBefore, log);

    await call(url, 'PATCH', '/api/app', key, { beforeSendHook: { url: receiver.hookUrl, timeoutMs: 3000, onFailure: 'reject' } });
    const hooked = receiver.path('cost-hooked');
    await removeWebhook(plainId);
    const hookedId = await addWebhook(hooked.url);
    const asked = receiver.hookRequests();
    const hookedBefore = await lastSeq(url, tokens[0]);
    cost.webhookAndHook = await window('with a webhook and a before-send hook');
    hookRequests = receiver.hookRequests() - asked;
    cost.webhookAndHook.drain = await drain(receiver, hooked.tally, (await lastSeq(url, tokens[0])) - hookedBefore, log);
    await removeWebhook(hookedId);
    await call(url, 'PATCH', '/api/app', key, { beforeSendHook: null });

    for (const channels of o.channels) rates.push(await deliveryRate({ url, serverPid, receiver, tokens, channels, events: o.events, inFlight: o.sendConcurrency, addWebhook, removeWebhook, log }));
  } finally {
    await load.stop();
    await receiver.close();
  }
  return { options: o, cost, hookRequests, rates, ...report(cost, rates) };
}

/**
 * @typedef {{ events: number, afterLoadSeconds: number, duplicates: number }} Drain
 * @typedef {{ channels: number, events: number, seconds: number, perSecond: number, sendSeconds: number, lagMs: number, duplicates: number, outOfOrder: number, serverCpuUsPerEvent: number | null }} Rate
 */

/** The channel's last message seq: how many sends it stored. @param {string} url @param {string} token */
async function lastSeq(url, token) {
  return (await call(url, 'GET', `/api/channels/${COST_CHANNEL}`, { authorization: `Bearer ${token}` })).channel.lastMessageSeq;
}

/**
 * Waits until the receiver holds one delivery per message stored meanwhile:
 * how long the backlog took after the load stopped.
 * @param {Awaited<ReturnType<typeof startWebhookReceiver>>} receiver
 * @param {import('../lib/webhook-receiver.mjs').Tally} tally
 * @param {number} events
 * @param {(m: string) => void} log
 * @returns {Promise<Drain>}
 */
async function drain(receiver, tally, events, log) {
  const stopped = performance.now();
  await receiver.waitFor(tally, events, DRAIN_TIMEOUT_MS);
  const afterLoadSeconds = round3(Math.max(0, tally.lastNewAt - stopped) / 1000);
  log(`the receiver holds all ${events} events, the last ${afterLoadSeconds} s after the load stopped`);
  return { events, afterLoadSeconds, duplicates: tally.requests - tally.ids.size };
}

/**
 * Sends `events` messages round-robin over `channels` channels, `inFlight`
 * at a time, with one webhook, and times the first send to the last event
 * the receiver gets.
 * @param {{ url: string, serverPid: number, receiver: Awaited<ReturnType<typeof startWebhookReceiver>>, tokens: string[], channels: number, events: number, inFlight: number,
 *   addWebhook: (url: string) => Promise<string>, removeWebhook: (id: string) => Promise<unknown>, log: (m: string) => void }} o
 * @returns {Promise<Rate>}
 */
async function deliveryRate({ url, serverPid, receiver, tokens, channels, events, inFlight, addWebhook, removeWebhook, log }) {
  const target = receiver.path(`rate-${channels}`, { order: true });
  const id = await addWebhook(target.url);
  log(`delivery rate: ${events} messages over ${channels} channel${channels === 1 ? '' : 's'}, ${inFlight} sends in flight`);
  let next = 0;
  const sendOne = async (/** @type {number} */ n) => {
    const response = await fetch(`${url}/api/channels/rate-${n % channels}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[n % tokens.length]}` },
      body: JSON.stringify({ text: `webhook bench ${n}` }),
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`send ${n} answered ${response.status}`);
  };
  const cpuBefore = processCpuSeconds(serverPid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < events) await sendOne(next++);
    }),
  );
  const sent = performance.now();
  await receiver.waitFor(target.tally, events, DRAIN_TIMEOUT_MS);
  const seconds = (target.tally.lastNewAt - started) / 1000;
  const cpuAfter = processCpuSeconds(serverPid);
  await removeWebhook(id);
  const rate = {
    channels,
    events,
    seconds: round3(seconds),
    perSecond: round3(events / seconds),
    sendSeconds: round3((sent - started) / 1000),
    lagMs: round3(Math.max(0, target.tally.lastNewAt - sent)),
    duplicates: target.tally.requests - target.tally.ids.size,
    outOfOrder: target.tally.outOfOrder,
    // The server's CPU from the first send to the last delivery, per event: its send and its delivery together.
    serverCpuUsPerEvent: cpuBefore === undefined || cpuAfter === undefined ? null : round3(((cpuAfter - cpuBefore) * 1e6) / events),
  };
  log(`  ${rate.perSecond} events/s delivered (sends took ${rate.sendSeconds} s; the last event came ${rate.lagMs} ms after the last send; server CPU ${rate.serverCpuUsPerEvent} µs per event, send and delivery)`);
  return rate;
}

/**
 * The summary line and RESULTS.md rows.
 * @param {Record<string, ReturnType<typeof loadFigures> & { drain?: Drain }>} cost
 * @param {Rate[]} rates
 */
function report(cost, rates) {
  const none = cost.none;
  const plain = cost.webhook;
  const both = cost.webhookAndHook;
  if (!none || !plain || !both) throw new Error('a cost window is missing');
  const cpu = (/** @type {typeof none} */ f) => (f.serverCpuUsPerCall === null ? 'unknown' : `${f.serverCpuUsPerCall} µs`);
  const added = (/** @type {typeof none} */ f) =>
    f.serverCpuUsPerCall === null || none.serverCpuUsPerCall === null ? '' : ` (+${round1(f.serverCpuUsPerCall - none.serverCpuUsPerCall)} µs)`;
  const line = (/** @type {typeof none} */ f) =>
    `${f.perSecond} sends/s, p50 / p99 ${f.latencyMs.p50} / ${f.latencyMs.p99} ms, server CPU ${cpu(f)}/send${added(f)}, ${f.errorCount} errors${f.disturbed ? ' (disturbed run)' : ''}`;
  const pg = (/** @type {typeof none} */ f) => (f.postgresCpuUsPerCall === null ? [] : [`PostgreSQL ${f.postgresCpuUsPerCall} µs/send`]);
  const inOrder = rates.every((r) => r.outOfOrder === 0);
  const figures = [
    ...rates.map((r) => ({
      figure: `${r.events} sends over ${r.channels} channel${r.channels === 1 ? '' : 's'}: events delivered/s (first send → last delivery)`,
      value: `${r.perSecond}/s (${r.seconds} s; sends took ${r.sendSeconds} s, last event ${r.lagMs} ms after the last send; server CPU ${r.serverCpuUsPerEvent ?? '?'} µs per event, send + delivery)`,
    })),
    {
      figure: 'delivery-rate runs: repeats, out of order per channel',
      value: `${rates.reduce((a, r) => a + r.duplicates, 0)} repeats, ${rates.reduce((a, r) => a + r.outOfOrder, 0)} out of order`,
      bar: 'none out of order',
      met: inOrder,
    },
    { figure: 'cost, no webhook: sends/s, HTTP p50 / p99, server CPU per send', value: line(none) },
    { figure: 'cost, one webhook (message.new): same', value: line(plain) },
    { figure: 'cost, one webhook + before-send hook (local, answers {}): same', value: line(both) },
    ...(none.postgresCpuUsPerCall === null ? [] : [{ figure: 'PostgreSQL CPU per send: none / webhook / webhook + hook', value: [none, plain, both].flatMap(pg).join(' / ') }]),
    {
      figure: 'backlog after a cost window: deliveries, last one after the load stopped',
      value: [plain.drain, both.drain].map((d) => (d ? `${d.events} in, +${d.afterLoadSeconds} s, ${d.duplicates} repeats` : '?')).join('; with the hook: '),
    },
    {
      figure: 'send errors in the cost windows',
      value: String(none.errorCount + plain.errorCount + both.errorCount),
      bar: 'none',
      met: none.errorCount + plain.errorCount + both.errorCount === 0,
    },
  ];
  const summary =
    rates.map((r) => `${r.perSecond} events/s delivered over ${r.channels} channel${r.channels === 1 ? '' : 's'}`).join(', ') +
    `; per send: none ${line(none)}; webhook ${line(plain)}; webhook + before-send hook ${line(both)}`;
  return { summary, figures };
}

const round1 = (/** @type {number} */ x) => Math.round(x * 10) / 10;
