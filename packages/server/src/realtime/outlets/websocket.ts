import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Disconnect } from '../protocol.js';
import { binaryFrame, rawSocketOf, textFrame } from '../text-frame.js';
import type { Frame, Outlet } from '../write-queue.js';

/** How long a closing client has to answer the close frame once it has left the process. */
export const CLOSE_GRACE_MS = 1000;

const NEWLINE = Buffer.from('\n');

/** JSON frames of one write, newline-separated as the protocol's JSON framing allows. */
export function newlineJoined(frames: Frame[]): Buffer {
  const parts: Buffer[] = [];
  for (const frame of frames) {
    if (parts.length > 0) parts.push(NEWLINE);
    parts.push(typeof frame === 'string' ? Buffer.from(frame) : frame);
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/** Protobuf frames of one write: each is length-delimited already, so they are simply concatenated. */
export function concatenated(frames: Frame[]): Buffer {
  const parts = frames.map((frame) => (typeof frame === 'string' ? Buffer.from(frame) : frame));
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/**
 * A WebSocket: one WebSocket message per write, text for the JSON framing and
 * binary for Protobuf, written as a whole frame to the TCP socket in one call
 * (see text-frame.ts). A disconnect is carried as Centrifugo carries it over
 * WebSocket: in the close frame's code and reason only.
 */
export class WebSocketOutlet implements Outlet {
  readonly kind: string;
  private readonly raw: Socket | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly binary: boolean,
  ) {
    this.kind = binary ? 'ws-binary' : 'ws-text';
    this.raw = rawSocketOf(socket);
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  get buffered(): number {
    return this.socket.bufferedAmount;
  }

  /** With the raw socket, `writableNeedDrain` says a write went past its buffer and 'drain' will follow. */
  behind(): boolean {
    return this.raw ? this.raw.writableNeedDrain : false;
  }

  onDrain(listener: () => void): void {
    this.raw?.on('drain', listener);
  }

  layout(frames: Frame[]): Buffer {
    const payload = this.binary ? concatenated(frames) : newlineJoined(frames);
    return this.raw ? (this.binary ? binaryFrame(payload) : textFrame(payload)) : payload;
  }

  write(bytes: Buffer): void {
    if (this.raw) this.raw.write(bytes);
    else this.socket.send(bytes, { binary: this.binary });
  }

  close(disconnect: Disconnect, lingerMs: number): void {
    this.socket.close(disconnect.code, disconnect.reason);
    const deadline = Date.now() + lingerMs;
    const check = () => {
      if (this.socket.readyState === this.socket.CLOSED) return;
      // A client that stopped reading gets the close frame if it reads again before the deadline.
      if (this.raw && this.raw.writableLength > 0 && Date.now() < deadline) return void setTimeout(check, CLOSE_GRACE_MS).unref();
      // Whatever is left is in the kernel, which still delivers it (and the close frame) after the cut.
      this.socket.terminate();
    };
    setTimeout(check, CLOSE_GRACE_MS).unref();
  }
}
