import type { Disconnect } from './protocol.js';

/** A socket whose unsent data passes this many bytes is not reading: it is dropped, not buffered without end. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * One protocol message, already serialised. A channel event is encoded to
 * bytes once per framing and the same Buffer goes to every subscriber;
 * replies are written by one session only.
 */
export type Frame = string | Buffer;

/**
 * Where a session's frames go: a WebSocket (text for JSON, binary for
 * Protobuf), an HTTP stream, an SSE stream. The queue decides when to write;
 * the outlet knows how a batch of frames is laid out on its transport and how
 * a disconnect is carried.
 */
export interface Outlet {
  /**
   * The layout of its writes: outlets of one kind holding the same frames
   * write the same bytes, built once per flush.
   */
  readonly kind: string;
  /** Still writable. */
  readonly open: boolean;
  /** Bytes it holds that have not reached the kernel. */
  readonly buffered: number;
  /** A write went past its buffer: `onDrain` follows. */
  behind(): boolean;
  onDrain(listener: () => void): void;
  /** The bytes of one write carrying `frames`, in this outlet's layout. */
  layout(frames: Frame[]): Buffer;
  /** Writes bytes built by `layout` (by this outlet or another of its kind). */
  write(bytes: Buffer): void;
  /**
   * Ends the session, carrying the disconnect as the transport does (the
   * WebSocket close frame, or a last push on a stream) right behind what it
   * already holds; gives up on a client that does not read after `lingerMs`.
   */
  close(disconnect: Disconnect, lingerMs: number): void;
}

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
  const layouts = new LayoutCache();
  for (const queue of queues) queue.flush(layouts);
  lastFlushEnd = performance.now();
  lastFlushCost = lastFlushEnd - start;
}

/**
 * The subscribers of one channel usually hold the very same frames (the
 * shared Buffers of its events, in order): per outlet kind they are laid out
 * once per flush, and the same bytes go to all of them.
 */
class LayoutCache {
  private readonly last = new Map<string, { frames: Frame[]; bytes: Buffer }>();

  bytes(outlet: Outlet, frames: Frame[]): Buffer {
    const last = this.last.get(outlet.kind);
    if (last && last.frames.length === frames.length && last.frames.every((frame, i) => frame === frames[i])) return last.bytes;
    const bytes = outlet.layout(frames);
    this.last.set(outlet.kind, { frames, bytes });
    return bytes;
  }
}

/** How long a socket may stay over the limit before it counts as not reading: a large reply takes a moment to drain. */
const SLOW_CLIENT_MS = 2000;

/**
 * Frames for one session, coalesced into a single write per flush (see
 * `schedule`): a write system call costs far more than joining frames, so a
 * burst of events reaches a client as one write. One timer serves every
 * session: an event for a thousand sockets schedules one flush, not a
 * thousand.
 *
 * Once the outlet holds more than it can pass to the kernel (the client reads
 * slower than it is sent to, or not at all), frames wait here, whole, until
 * it drains: what waits is counted in `backlog`, and a disconnect can drop it
 * and put its close right behind the little the outlet still holds.
 */
export class WriteQueue {
  private frames: Frame[] = [];
  private queuedBytes = 0;
  /** The outlet is behind: frames wait for its drain. */
  private waiting = false;
  private slowCheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly outlet: Outlet,
    private readonly onOverflow: () => void,
  ) {
    outlet.onDrain(() => this.drained());
  }

  /** Bytes waiting for this client: queued here and buffered in the outlet. */
  get backlog(): number {
    return this.queuedBytes + this.outlet.buffered;
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

  /** Writes what is queued as one write, unless the outlet is still behind. */
  flush(layouts: LayoutCache = new LayoutCache()): void {
    if (!this.outlet.open) return this.discard();
    if (this.frames.length === 0) return;
    if (this.outlet.behind()) {
      this.waiting = true;
      if (this.backlog > MAX_BUFFERED_BYTES) this.watchSlow();
      return;
    }
    const frames = this.frames;
    this.frames = [];
    this.queuedBytes = 0;
    this.outlet.write(layouts.bytes(this.outlet, frames));
    this.waiting = this.outlet.behind();
    if (this.backlog > MAX_BUFFERED_BYTES) this.watchSlow();
  }

  /** Ends the session: what waits here is dropped, and the outlet carries the disconnect. */
  close(disconnect: Disconnect, lingerMs: number): void {
    this.discard();
    if (this.outlet.open) this.outlet.close(disconnect, lingerMs);
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
      if (this.backlog > MAX_BUFFERED_BYTES) this.onOverflow();
    }, SLOW_CLIENT_MS);
    this.slowCheck.unref();
  }
}
