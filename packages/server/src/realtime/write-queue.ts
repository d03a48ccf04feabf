import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Disconnect } from './protocol.js';
import { rawSocketOf, textFrame } from './text-frame.js';

/** A socket whose unsent data passes this many bytes is not reading: it is dropped, not buffered without end. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * One protocol message, already serialised. A channel event is encoded to
 * bytes once and the same Buffer goes to every subscriber; replies are
 * strings, written by one socket only.
 */
export type Frame = string | Buffer;

const NEWLINE = Buffer.from('\n');

/** Queues with frames to write, flushed together. */
const pending = new Set<WriteQueue>();
let scheduled = false;
/** When the last flush ended and how long it took (ms). */
let lastFlushEnd = 0;
let lastFlushCost = 0;

/**
 * Schedules the next flush. When the last one was cheap it runs at the end of
 * this loop turn. When it was expensive (a busy channel with many sockets) the
 * next one waits as long as it took: writing sockets then takes at most about
 * half the process's time, the rest is left for the requests that make the
 * events, and each write carries more events. A write system call costs the
 * same for one event as for twenty, so under load the cost per delivery falls
 * as the load rises; the delay it adds is never more than one flush's cost.
 */
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  const wait = lastFlushEnd + lastFlushCost - performance.now();
  if (wait < 1) setImmediate(flushAll);
  else setTimeout(flushAll, wait);
}

function flushAll(): void {
  const start = performance.now();
  scheduled = false;
  const queues = [...pending];
  pending.clear();
  const joins = new JoinCache();
  for (const queue of queues) queue.flush(joins);
  lastFlushEnd = performance.now();
  lastFlushCost = lastFlushEnd - start;
}

/** The frames of one write, newline-separated as the protocol's JSON framing allows. */
function joined(frames: Frame[]): Frame {
  if (frames.length === 1) return frames[0] as Frame;
  if (frames.every((frame) => typeof frame === 'string')) return frames.join('\n');
  const parts: Buffer[] = [];
  for (const frame of frames) {
    if (parts.length > 0) parts.push(NEWLINE);
    parts.push(typeof frame === 'string' ? Buffer.from(frame) : frame);
  }
  return Buffer.concat(parts);
}

/**
 * The subscribers of one channel usually hold the very same frames (the
 * shared Buffers of its events, in order): they are joined and framed once
 * per flush, and the one WebSocket frame goes to all of them.
 */
class JoinCache {
  private frames: Frame[] | undefined;
  private framed: Buffer | undefined;

  /** The WebSocket text frame carrying `frames`. */
  frame(frames: Frame[]): Buffer {
    const last = this.frames;
    if (last && this.framed && last.length === frames.length && last.every((frame, i) => frame === frames[i])) return this.framed;
    const payload = joined(frames);
    this.frames = frames;
    this.framed = textFrame(typeof payload === 'string' ? Buffer.from(payload) : payload);
    return this.framed;
  }
}

/** How long a socket may stay over the limit before it counts as not reading: a large reply takes a moment to drain. */
const SLOW_CLIENT_MS = 2000;
/** How long a closing client has to answer the close frame once it has left the process. */
export const CLOSE_GRACE_MS = 1000;
/**
 * How long a closing socket is kept while its close frame still waits in the
 * process behind unsent data (a client that stopped reading): if the client
 * reads again within this time it gets the disconnect push and close code.
 * It costs a descriptor and at most one write's bytes; `ws` itself gives up
 * on a close handshake after as long.
 */
export const CLOSE_LINGER_MS = 30_000;

/**
 * Frames for one socket, coalesced into a single write per flush (see
 * `schedule`): a write system call costs far more than joining frames, so a
 * burst of events reaches a socket as one message of newline-separated
 * pushes. One timer serves every socket: an event for a thousand sockets
 * schedules one flush, not a thousand.
 *
 * Once the socket holds more than it can pass to the kernel (the client reads
 * slower than it is sent to, or not at all), frames wait here, whole, until
 * it drains: what waits is counted in `backlog`, and a disconnect can drop it
 * and put its close frame right behind the little the socket still holds.
 */
export class WriteQueue {
  private frames: Frame[] = [];
  private queuedBytes = 0;
  /** The socket is behind: frames wait for its 'drain'. */
  private waiting = false;
  private slowCheck: NodeJS.Timeout | undefined;
  private readonly raw: Socket | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly onOverflow: () => void,
  ) {
    this.raw = rawSocketOf(socket);
    this.raw?.on('drain', () => this.drained());
  }

  /** Bytes waiting for this socket: queued here and buffered in the socket. */
  get backlog(): number {
    return this.queuedBytes + this.socket.bufferedAmount;
  }

  /** Queues one reply or push (already serialised). */
  push(frame: Frame): void {
    this.frames.push(frame);
    this.queuedBytes += frame.length;
    if (this.waiting) {
      if (this.backlog > MAX_BUFFERED_BYTES) this.watchSlow();
      return;
    }
    if (this.frames.length > 1) return;
    pending.add(this);
    schedule();
  }

  /** Drops what is queued: the connection is ending. */
  discard(): void {
    this.frames = [];
    this.queuedBytes = 0;
    this.waiting = false;
    clearTimeout(this.slowCheck);
    this.slowCheck = undefined;
  }

  /** Writes what is queued as one WebSocket text message, unless the socket is still behind. */
  flush(joins: JoinCache = new JoinCache()): void {
    if (this.socket.readyState !== this.socket.OPEN) return this.discard();
    if (this.frames.length === 0) return;
    if (this.behind()) {
      this.waiting = true;
      if (this.backlog > MAX_BUFFERED_BYTES) this.watchSlow();
      return;
    }
    const frames = this.frames;
    this.frames = [];
    this.queuedBytes = 0;
    if (this.raw) this.raw.write(joins.frame(frames));
    // A Buffer would go out as a binary message unless told otherwise; the protocol's JSON framing is text.
    else this.socket.send(joined(frames), { binary: false });
    this.waiting = this.behind();
    if (this.backlog > MAX_BUFFERED_BYTES) this.watchSlow();
  }

  /**
   * Ends the socket: the disconnect push and the close frame go right behind
   * what the socket already holds, and what waits here is dropped. The socket
   * is cut once they have left the process and the client had a moment to
   * answer, or after `lingerMs` if they never could.
   */
  close(disconnect: Disconnect, lingerMs: number): void {
    this.discard();
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify({ push: { disconnect } }));
    this.socket.close(disconnect.code, disconnect.reason);
    const deadline = Date.now() + lingerMs;
    const check = () => {
      if (this.socket.readyState === this.socket.CLOSED) return;
      if (this.raw && this.raw.writableLength > 0 && Date.now() < deadline) return void setTimeout(check, CLOSE_GRACE_MS).unref();
      // Whatever is left is in the kernel, which still delivers it (and the close frame) after the cut.
      this.socket.terminate();
    };
    setTimeout(check, CLOSE_GRACE_MS).unref();
  }

  /** With the raw socket, `writableNeedDrain` says a write went past its buffer and 'drain' will follow. */
  private behind(): boolean {
    return this.raw ? this.raw.writableNeedDrain : this.socket.bufferedAmount > MAX_BUFFERED_BYTES;
  }

  private drained(): void {
    if (!this.waiting) return;
    this.waiting = false;
    if (this.frames.length === 0) return;
    pending.add(this);
    schedule();
  }

  /** Over the limit now; still over it after a while means the client is not reading. */
  private watchSlow(): void {
    if (this.slowCheck) return;
    this.slowCheck = setTimeout(() => {
      this.slowCheck = undefined;
      if (this.backlog > MAX_BUFFERED_BYTES) return this.onOverflow();
      // Without the raw socket there is no 'drain' to wait for: try again now.
      if (!this.raw) {
        this.waiting = false;
        this.flush();
      }
    }, SLOW_CLIENT_MS);
    this.slowCheck.unref();
  }
}
