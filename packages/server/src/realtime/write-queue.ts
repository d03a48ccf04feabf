import type { WebSocket } from 'ws';

/** A socket whose unsent data passes this many bytes is not reading: it is dropped, not buffered without end. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * One protocol message, already serialised. A channel event is encoded to
 * bytes once and the same Buffer goes to every subscriber; replies are
 * strings, written by one socket only.
 */
export type Frame = string | Buffer;

const NEWLINE = Buffer.from('\n');

/** Queues with frames to write, flushed together once per event-loop turn. */
const pending = new Set<WriteQueue>();
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  const queues = [...pending];
  pending.clear();
  for (const queue of queues) queue.flush();
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

/** How long a socket may stay over the limit before it counts as not reading: a large reply takes a moment to drain. */
const SLOW_CLIENT_MS = 2000;

/**
 * Frames for one socket, coalesced into a single write per event-loop turn:
 * a write system call costs far more than joining frames, so a burst of
 * events reaches a socket as one message of newline-separated pushes. One
 * timer serves every socket: an event for a thousand sockets schedules one
 * flush, not a thousand.
 */
export class WriteQueue {
  private frames: Frame[] = [];
  private queuedBytes = 0;
  private slowCheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly onOverflow: () => void,
  ) {}

  /** Bytes waiting for this socket: queued here and buffered in the socket. */
  get backlog(): number {
    return this.queuedBytes + this.socket.bufferedAmount;
  }

  /** Queues one reply or push (already serialised). */
  push(frame: Frame): void {
    this.frames.push(frame);
    this.queuedBytes += frame.length;
    if (this.frames.length > 1) return;
    pending.add(this);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushAll);
    }
  }

  /** Drops what is queued: the connection is ending. */
  discard(): void {
    this.frames = [];
    this.queuedBytes = 0;
    clearTimeout(this.slowCheck);
  }

  /** Writes what is queued as one WebSocket text message, unless the socket is still behind. */
  flush(): void {
    if (this.frames.length === 0 || this.socket.readyState !== this.socket.OPEN) return this.discard();
    // Still behind: hold the frames (bounded by the check below) instead of piling more on the socket.
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return this.watchSlow();
    const frames = this.frames;
    this.frames = [];
    this.queuedBytes = 0;
    // A Buffer would go out as a binary message unless told otherwise; the protocol's JSON framing is text.
    this.socket.send(joined(frames), { binary: false });
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) this.watchSlow();
  }

  /** Over the limit now; still over it after a while means the client is not reading. */
  private watchSlow(): void {
    if (this.slowCheck) return;
    this.slowCheck = setTimeout(() => {
      this.slowCheck = undefined;
      if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return this.onOverflow();
      this.flush();
    }, SLOW_CLIENT_MS);
    this.slowCheck.unref();
  }
}
