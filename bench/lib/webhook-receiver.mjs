// A webhook receiver for the bench, in the bench process: answers every
// delivery 204 at once over keep-alive and tallies what it got, per path (one
// path per webhook, so a late delivery to an earlier phase's webhook never
// counts for the next). It also answers before-send hook requests `{}`.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * What one path received.
 * @typedef {object} Tally
 * @property {number} requests     every delivery, repeats included
 * @property {Set<string>} ids      distinct `webhook-id`s
 * @property {number} firstAt       performance.now() of the first, 0 before it
 * @property {number} lastNewAt     of the last one with an id not seen before
 * @property {Map<string, number>} lastOffset  per channel, the offset of the last event in arrival order (with `order`)
 * @property {number} outOfOrder    events of a channel that arrived after a later one of it (with `order`)
 * @property {Array<() => void>} waiters
 * @property {number} wanted
 */

export async function startWebhookReceiver() {
  /** @type {Map<string, Tally>} */
  const tallies = new Map();
  /** Paths whose bodies are read for per-channel order (costs a JSON.parse per delivery). */
  const ordered = new Set();
  let hookRequests = 0;

  /** @param {string} path */
  const tallyOf = (path) => {
    let tally = tallies.get(path);
    if (!tally) {
      tally = { requests: 0, ids: new Set(), firstAt: 0, lastNewAt: 0, lastOffset: new Map(), outOfOrder: 0, waiters: [], wanted: Infinity };
      tallies.set(path, tally);
    }
    return tally;
  };

  const server = createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      if (path === '/before-send') {
        hookRequests += 1;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
        return;
      }
      const now = performance.now();
      const tally = tallyOf(path);
      tally.requests += 1;
      if (tally.firstAt === 0) tally.firstAt = now;
      const id = String(req.headers['webhook-id'] ?? '');
      if (!tally.ids.has(id)) {
        tally.ids.add(id);
        tally.lastNewAt = now;
        if (ordered.has(path)) checkOrder(tally, Buffer.concat(chunks).toString());
        if (tally.ids.size >= tally.wanted) for (const wake of tally.waiters.splice(0)) wake();
      }
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  const base = `http://127.0.0.1:${port}`;

  return {
    /** `127.0.0.1:<port>`, for the server's outbound allowlist. */
    hostPort: `127.0.0.1:${port}`,
    /** The before-send hook's URL. */
    hookUrl: `${base}/before-send`,
    /** Before-send requests answered so far. */
    hookRequests: () => hookRequests,
    /**
     * A fresh path for one webhook, and its tally.
     * @param {string} name
     * @param {{ order?: boolean }} [options]  read each body and check the order per channel
     */
    path(name, { order = false } = {}) {
      const path = `/hook/${name}`;
      if (order) ordered.add(path);
      return { url: `${base}${path}`, tally: tallyOf(path) };
    },
    /**
     * Resolves when `tally` holds `count` distinct ids, or rejects after `timeoutMs`.
     * @param {Tally} tally
     * @param {number} count
     * @param {number} timeoutMs
     */
    waitFor(tally, count, timeoutMs) {
      if (tally.ids.size >= count) return Promise.resolve();
      tally.wanted = count;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the receiver has ${tally.ids.size} of ${count} events after ${timeoutMs / 1000} s`)), timeoutMs);
        tally.waiters.push(() => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/**
 * Notes whether a `message.new` delivery came after a later one of its
 * channel: the offsets of one channel's events must arrive rising.
 * @param {Tally} tally
 * @param {string} body
 */
function checkOrder(tally, body) {
  const { data } = JSON.parse(body);
  const channel = String(data?.channelId ?? '');
  const offset = Number(data?.offset);
  if (!channel || !Number.isFinite(offset)) return;
  const last = tally.lastOffset.get(channel) ?? -Infinity;
  if (offset < last) tally.outOfOrder += 1;
  else tally.lastOffset.set(channel, offset);
}
