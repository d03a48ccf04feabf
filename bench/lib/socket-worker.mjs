// A realtime client process: holds many WebSocket connections for
// lib/sockets.mjs, answers the server's pings, and tallies the channel pushes
// it receives. It runs apart from the server and from the orchestrator so that
// receiving does not share their event loops. It speaks the protocol with raw
// `ws`, not the centrifuge client: a thousand connections must cost the client
// little, or the client, not the server, is what gets measured.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { decodeReplies, encodeCommands, PONG, PROTOBUF_SUBPROTOCOL } from './protobuf-client.mjs';
import { Histogram } from './stats.mjs';

/** One connection to open: its wsToken and the one channel it subscribes to. */
/** @typedef {{ token: string, channel: string }} Connection */

/**
 * What lib/sockets.mjs asks. `watch` starts tallying the messages whose text
 * starts with `tag` (lib/steady-sender.mjs writes `<tag> <seq> <sent at>`),
 * counting those received between `from` and `to` (epoch ms) as in the window.
 * `framing` is `json` (text frames of JSON lines) or `protobuf` (the
 * `centrifuge-protobuf` subprotocol: binary frames of length-delimited messages).
 * @typedef {{ type: 'open', url: string, connections: Connection[], inFlight: number, framing: 'json' | 'protobuf' }
 *   | { type: 'watch', tag: string, from: number, to: number }
 *   | { type: 'count' } | { type: 'report' } | { type: 'close' } | { type: 'exit' }} Command
 */

/** A wall-clock time in ms with sub-ms resolution, comparable across the bench's processes. */
const now = () => performance.timeOrigin + performance.now();

/** A connect or subscribe not answered by then has failed. */
const OPEN_TIMEOUT_MS = 30_000;

/**
 * @typedef {object} Socket
 * @property {WebSocket} ws
 * @property {string} channel     the channel it subscribed to (the server may add the user's personal stream)
 * @property {boolean} pong        the connect reply asked for answers to pings
 * @property {boolean} protobuf    speaks the Protobuf framing
 * @property {number} offset       the channel's last offset this socket saw
 * @property {number} pings       pings the server sent it
 * @property {boolean} closing     closed by us: its close is not a drop
 * @property {((frame: any) => void) | undefined} onReply
 */

/** @type {Socket[]} */
const sockets = [];
/** Sockets the server (or the network) closed while we held them, by close code. */
/** @type {Record<string, number>} */
const drops = {};
let pings = 0;
/** Publications on other channels than the subscribed one: the user's personal stream (presence, notifications). */
let otherPublications = 0;

/** The current tally; `tag` '' tallies nothing. */
let watch = freshWatch('', 0, 0);

/**
 * @param {string} tag
 * @param {number} from
 * @param {number} to
 */
function freshWatch(tag, from, to) {
  return {
    prefix: `${tag} `,
    from,
    to,
    deliveries: 0,
    inWindow: 0,
    /** Send-to-receive, µs. */
    latencyUs: new Histogram(),
    /** Deliveries per message, by its sequence number. */
    /** @type {number[]} */
    perMessage: [],
    /** Per message, by sequence number: the latency (ms) of its first and of its last delivery here. */
    /** @type {number[]} */
    firstMs: [],
    /** @type {number[]} */
    lastMs: [],
    /** Deliveries per second of receive time from `from`. */
    /** @type {number[]} */
    perSecond: [],
    /** Offsets seen twice (or going back) and offsets skipped, over every socket: both should stay 0. */
    repeatedOffsets: 0,
    skippedOffsets: 0,
  };
}

// Every socket of a channel receives the same message (the server frames a
// flush's events once for all of them): the lines of a message are split and
// parsed once, and the next socket's identical message reuses them, so the
// client's cost per delivery stays well below the server's.
/** @type {Buffer | undefined} */
let lastMessage;
/** @type {Array<string | any>} */
let lastLines = [];

/**
 * The message's lines: '{}' (a ping), or the parsed frame.
 * @param {Buffer} data
 * @param {boolean} protobuf
 */
function linesOf(data, protobuf) {
  if (lastMessage && lastMessage.length === data.length && lastMessage.equals(data)) return lastLines;
  if (protobuf) {
    lastLines = decodeReplies(data);
  } else {
    lastLines = [];
    for (const line of String(data).split('\n')) {
      if (line === '') continue;
      lastLines.push(line === '{}' ? line : JSON.parse(line));
    }
  }
  lastMessage = data;
  return lastLines;
}

/**
 * @param {Socket} socket
 * @param {WebSocket.RawData} data
 */
function receive(socket, data) {
  const at = now(); // at arrival, before any parsing: the latency is the server's and the wire's
  // The server coalesces a flush's frames into one message, newline-separated.
  for (const frame of linesOf(Buffer.isBuffer(data) ? data : Buffer.from(String(data)), socket.protobuf)) {
    if (frame === '{}') {
      pings += 1;
      socket.pings += 1;
      if (socket.pong) socket.ws.send(socket.protobuf ? PONG : '{}');
      continue;
    }
    if (frame.push?.pub && frame.push.channel === socket.channel) publication(socket, frame.push.pub, at);
    else if (frame.push?.pub) otherPublications += 1;
    else if (frame.id !== undefined) socket.onReply?.(frame);
  }
}

/**
 * @param {Socket} socket
 * @param {{ offset?: number, data?: { type?: string, message?: { text?: string } } }} pub
 * @param {number} at
 */
function publication(socket, pub, at) {
  if (pub.offset !== undefined) {
    if (pub.offset <= socket.offset) watch.repeatedOffsets += 1;
    else if (pub.offset > socket.offset + 1) watch.skippedOffsets += pub.offset - socket.offset - 1;
    socket.offset = Math.max(socket.offset, pub.offset);
  }
  const text = pub.data?.type === 'message.new' ? pub.data.message?.text : undefined;
  if (!text?.startsWith(watch.prefix)) return;
  const [seq, sentAt] = text.slice(watch.prefix.length).split(' ').map(Number);
  if (seq === undefined || sentAt === undefined) return;
  watch.deliveries += 1;
  watch.perMessage[seq] = (watch.perMessage[seq] ?? 0) + 1;
  const ms = Math.max(0, at - sentAt);
  watch.latencyUs.record(ms * 1000);
  watch.firstMs[seq] = Math.min(watch.firstMs[seq] ?? Infinity, ms);
  watch.lastMs[seq] = Math.max(watch.lastMs[seq] ?? -Infinity, ms);
  if (at >= watch.from && at < watch.to) watch.inWindow += 1;
  const second = Math.floor((at - watch.from) / 1000);
  if (second >= 0) watch.perSecond[second] = (watch.perSecond[second] ?? 0) + 1;
}

/**
 * Opens one connection: the WebSocket, then `connect` and `subscribe` in one
 * frame, as the centrifuge client batches them. Resolves once subscribed.
 * @param {string} url
 * @param {Connection} connection
 * @param {'json' | 'protobuf'} framing
 * @returns {Promise<{ ok: true, ms: number } | { ok: false, reason: string }>}
 */
function openOne(url, { token, channel }, framing) {
  const started = now();
  const protobuf = framing === 'protobuf';
  return new Promise((resolve) => {
    const ws = protobuf ? new WebSocket(url, PROTOBUF_SUBPROTOCOL, { perMessageDeflate: false }) : new WebSocket(url, { perMessageDeflate: false });
    /** @type {Socket} */
    const socket = { ws, channel, pong: false, protobuf, offset: 0, pings: 0, closing: false, onReply: undefined };
    let settled = false;
    const settle = (/** @type {{ ok: true, ms: number } | { ok: false, reason: string }} */ outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.onReply = undefined;
      if (outcome.ok) sockets.push(socket);
      else {
        socket.closing = true;
        ws.terminate();
      }
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ ok: false, reason: 'timeout' }), OPEN_TIMEOUT_MS);
    socket.onReply = (frame) => {
      if (frame.error) return settle({ ok: false, reason: `${frame.id === 1 ? 'connect' : 'subscribe'} error ${frame.error.code}` });
      if (frame.id === 1) socket.pong = frame.connect?.pong === true;
      if (frame.id === 2) {
        socket.offset = frame.subscribe?.offset ?? 0;
        settle({ ok: true, ms: now() - started });
      }
    };
    ws.on('open', () => {
      const commands = [{ id: 1, connect: { token } }, { id: 2, subscribe: { channel } }];
      ws.send(protobuf ? encodeCommands(commands) : commands.map((c) => JSON.stringify(c)).join('\n'));
    });
    ws.on('message', (data) => receive(socket, data));
    ws.on('error', (error) => settle({ ok: false, reason: /** @type {NodeJS.ErrnoException} */ (error).code ?? error.message }));
    ws.on('close', (code) => {
      if (!settled) return settle({ ok: false, reason: `closed ${code}` });
      if (!socket.closing) drops[code] = (drops[code] ?? 0) + 1;
    });
  });
}

/**
 * Opens connections with `inFlight` handshakes at a time.
 * @param {string} url
 * @param {Connection[]} connections
 * @param {number} inFlight
 * @param {'json' | 'protobuf'} framing
 */
async function open(url, connections, inFlight, framing) {
  const connectMs = new Histogram();
  /** @type {Record<string, number>} */
  const failures = {};
  let next = 0;
  const started = now();
  const worker = async () => {
    while (next < connections.length) {
      const outcome = await openOne(url, /** @type {Connection} */ (connections[next++]), framing);
      if (outcome.ok) connectMs.record(outcome.ms);
      else failures[outcome.reason] = (failures[outcome.reason] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, connections.length) }, worker));
  return { opened: connectMs.count, failures, ms: now() - started, connectMs: connectMs.toJSON() };
}

/** Closes every socket, waiting (briefly) for each close handshake. */
async function closeAll() {
  await Promise.all(
    sockets.splice(0).map(
      (socket) =>
        new Promise((resolve) => {
          socket.closing = true;
          if (socket.ws.readyState === WebSocket.CLOSED) return resolve(undefined);
          const timer = setTimeout(() => {
            socket.ws.terminate();
            resolve(undefined);
          }, 5000);
          socket.ws.once('close', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
          socket.ws.close(1000);
        }),
    ),
  );
}

function report() {
  const { prefix, latencyUs, perMessage, perSecond, firstMs, lastMs, ...counts } = watch;
  return {
    ...counts,
    latencyUs: latencyUs.toJSON(),
    perMessage: Array.from(perMessage, (n) => n ?? 0),
    // JSON has no Infinity: a message this process never received is null.
    firstMs: Array.from(firstMs, (ms) => ms ?? null),
    lastMs: Array.from(lastMs, (ms) => ms ?? null),
    perSecond: Array.from(perSecond, (n) => n ?? 0),
    open: sockets.filter((s) => s.ws.readyState === WebSocket.OPEN).length,
    drops,
    pings,
    pinged: sockets.filter((s) => s.pings > 0).length,
    otherPublications,
  };
}

/** @typedef {ReturnType<typeof report>} Report */
/** @typedef {Awaited<ReturnType<typeof open>>} OpenResult */

/** @param {Command} command */
async function handle(command) {
  switch (command.type) {
    case 'open':
      return { type: 'opened', result: await open(command.url, command.connections, command.inFlight, command.framing ?? 'json') };
    case 'watch':
      watch = freshWatch(command.tag, command.from, command.to);
      return { type: 'watching' };
    case 'count':
      return { type: 'count', deliveries: watch.deliveries };
    case 'report':
      return { type: 'report', report: report() };
    case 'close':
      await closeAll();
      return { type: 'closed' };
    case 'exit':
      process.exit(0);
  }
}

// Orphaned (the orchestrator died): let go of the server's sockets.
process.on('disconnect', () => process.exit(0));
process.on('message', (/** @type {Command} */ command) => {
  handle(command).then(
    (reply) => process.send?.(reply),
    (error) => process.send?.({ type: 'error', message: String(error?.stack ?? error) }),
  );
});
