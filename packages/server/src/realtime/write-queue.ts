import type { WebSocket } from 'ws';

/** A socket whose unsent data passes this many bytes is not reading: it is dropped, not buffered without end. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Frames for one socket, coalesced into a single write per event-loop turn:
 * a write system call costs far more than joining strings, so a burst of
 * events reaches a socket as one frame of newline-separated replies.
 */
export class WriteQueue {
  private frames: string[] = [];
  private scheduled = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly onOverflow: () => void,
  ) {}

  /** Queues one reply or push (already serialised). */
  push(frame: string): void {
    this.frames.push(frame);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.frames.length === 0 || this.socket.readyState !== this.socket.OPEN) {
      this.frames = [];
      return;
    }
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.frames = [];
      this.onOverflow();
      return;
    }
    const data = this.frames.length === 1 ? (this.frames[0] as string) : this.frames.join('\n');
    this.frames = [];
    this.socket.send(data);
  }
}
