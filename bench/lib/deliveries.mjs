// Steady REST sends into one channel and what groups of sockets receive of
// them: the window `latency` and `cluster` measure (`fanout` predates it).
import { Histogram, round3 } from './stats.mjs';
import { now, sendSteadily } from './steady-sender.mjs';

/** Deliveries still arriving after the last send is answered: wait for them while they keep coming. */
const DRAIN_IDLE_MS = 3000;

/** @typedef {Awaited<ReturnType<import('./sockets.mjs').Sockets['report']>>} Tally */

/**
 * Sends `rate` messages a second for `seconds` (lib/steady-sender.mjs) into
 * `channelId`, then waits until every socket of every group has every
 * acknowledged message, or none came for 3 s; returns what was sent and each
 * group's tally.
 * @param {{
 *   groups: { sockets: import('./sockets.mjs').Sockets, opened: number }[],
 *   url: string, channelId: string, tokens: string[], rate: number, seconds: number, tag: string,
 * }} plan
 */
export async function sendAndCollect({ groups, url, channelId, tokens, rate, seconds, tag }) {
  const startAt = now() + 200;
  for (const g of groups) await g.sockets.watch(tag, startAt, startAt + seconds * 1000);
  const sent = await sendSteadily({ url, channelId, token: tokens, rate, seconds, tag, startAt });
  const sockets = groups.reduce((a, g) => a + g.opened, 0);
  const expected = sent.acknowledged.filter(Boolean).length * sockets;
  const drainStart = now();
  for (let seen = -1, lastChange = now(); ; ) {
    let count = 0;
    for (const g of groups) count += await g.sockets.count();
    if (count >= expected) break;
    if (count !== seen) [seen, lastChange] = [count, now()];
    if (now() - lastChange > DRAIN_IDLE_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const drainSeconds = (now() - drainStart) / 1000;
  /** @type {Tally[]} */
  const tallies = [];
  for (const g of groups) tallies.push(await g.sockets.report());
  return { sent, expected, drainSeconds, tallies };
}

/**
 * What `opened` sockets received of the acknowledged messages: deliveries in
 * the window per second, send-to-receive latency, and every delivery missing
 * or repeated.
 * @param {import('./steady-sender.mjs').SendResult} sent
 * @param {Tally} tally
 * @param {number} opened
 * @param {number} seconds  the sending window
 */
export function deliveryFigures(sent, tally, opened, seconds) {
  let missing = 0;
  let ofUnacknowledged = 0;
  let extra = 0;
  sent.acknowledged.forEach((ok, seq) => {
    const got = tally.perMessage[seq] ?? 0;
    if (ok) {
      missing += Math.max(0, opened - got);
      extra += Math.max(0, got - opened);
    } else ofUnacknowledged += got;
  });
  const lat = tally.latencyUs;
  const ms = (/** @type {number} */ us) => round3(us / 1000);
  return {
    sockets: opened,
    expectedDeliveries: sent.acknowledged.filter(Boolean).length * opened,
    deliveries: tally.deliveries,
    deliveriesPerSecond: round3(tally.inWindow / seconds),
    missingDeliveries: missing,
    /** Deliveries past one per socket and message. */
    extraDeliveries: extra,
    /** Offsets a socket saw twice (or going back), and offsets it never saw: both must be 0. */
    repeatedOffsets: tally.repeatedOffsets,
    skippedOffsets: tally.skippedOffsets,
    deliveriesOfUnacknowledged: ofUnacknowledged,
    latencyMs: { p50: ms(lat.percentile(50)), p90: ms(lat.percentile(90)), p99: ms(lat.percentile(99)), max: ms(lat.max), mean: ms(lat.mean()) },
    socketsOpenAtEnd: tally.open,
    socketsDropped: tally.drops,
    perSecondDeliveries: tally.perSecond,
  };
}

/**
 * The sender's side: messages sent and acknowledged, errors, HTTP latency, lag behind its schedule.
 * @param {import('./steady-sender.mjs').SendResult} sent
 */
export function senderFigures(sent) {
  const ms = (/** @type {number} */ us) => round3(us / 1000);
  return {
    messagesSent: sent.total,
    messagesAcknowledged: sent.acknowledged.filter(Boolean).length,
    sendErrors: sent.errors,
    sendErrorCount: Object.values(sent.errors).reduce((a, n) => a + n, 0),
    sendLatencyMs: { p50: ms(sent.latencyUs.percentile(50)), p99: ms(sent.latencyUs.percentile(99)), max: ms(sent.latencyUs.max) },
    senderMaxLagMs: round3(sent.maxLagMs),
  };
}

/**
 * One tally of several groups' tallies (the latency histograms merged).
 * @param {Tally[]} tallies
 * @returns {Tally}
 */
export function mergeTallies(tallies) {
  const [first, ...rest] = tallies;
  if (!first) throw new Error('no tally');
  const latencyUs = new Histogram();
  for (const t of tallies) latencyUs.merge(t.latencyUs);
  const sumArrays = (/** @type {number[][]} */ arrays) => {
    /** @type {number[]} */
    const out = [];
    for (const a of arrays) a.forEach((n, i) => (out[i] = (out[i] ?? 0) + n));
    return Array.from(out, (n) => n ?? 0);
  };
  /** @type {Record<string, number>} */
  const drops = {};
  for (const t of tallies) for (const [code, n] of Object.entries(t.drops)) drops[code] = (drops[code] ?? 0) + n;
  const sum = (/** @type {(t: Tally) => number} */ pick) => tallies.reduce((a, t) => a + pick(t), 0);
  return {
    ...first,
    deliveries: sum((t) => t.deliveries),
    inWindow: sum((t) => t.inWindow),
    repeatedOffsets: sum((t) => t.repeatedOffsets),
    skippedOffsets: sum((t) => t.skippedOffsets),
    open: sum((t) => t.open),
    pings: sum((t) => t.pings),
    pinged: sum((t) => t.pinged),
    otherPublications: sum((t) => t.otherPublications),
    latencyUs,
    perMessage: sumArrays(tallies.map((t) => t.perMessage)),
    firstMs: rest.length === 0 ? first.firstMs : [],
    lastMs: rest.length === 0 ? first.lastMs : [],
    perSecond: sumArrays(tallies.map((t) => t.perSecond)),
    drops,
  };
}
