import type { ServerResponse } from 'node:http';
import type { Disconnect } from '../protocol.js';
import type { Frame, Outlet } from '../write-queue.js';
import { CLOSE_GRACE_MS, concatenated } from './websocket.js';

/** The layout of replies in a streamed HTTP response. */
export type StreamLayout = 'json-lines' | 'protobuf' | 'sse';

function laidOut(layout: StreamLayout, frames: Frame[]): Buffer {
  if (layout === 'protobuf') return concatenated(frames);
  const text = (frame: Frame) => (typeof frame === 'string' ? frame : frame.toString('utf8'));
  // The client dispatches a line when it sees its newline, so every line ends with one.
  if (layout === 'json-lines') return Buffer.from(frames.map((frame) => `${text(frame)}\n`).join(''));
  // JSON has no raw newlines, so each reply is one `data:` line of one event.
  return Buffer.from(frames.map((frame) => `data: ${text(frame)}\n\n`).join(''));
}

/**
 * A streamed HTTP response, for the emulated transports: `http_stream`
 * (JSON lines, or length-delimited Protobuf) and `sse` (one event per reply).
 * There is no close frame, so a disconnect is a last push in the stream, then
 * the end of the response.
 */
export class HttpStreamOutlet implements Outlet {
  readonly kind: string;

  constructor(
    private readonly response: ServerResponse,
    private readonly streamLayout: StreamLayout,
    /** The disconnect push in the session's framing. */
    private readonly disconnectFrame: (disconnect: Disconnect) => Frame,
  ) {
    this.kind = `stream-${streamLayout}`;
  }

  get open(): boolean {
    return !this.response.writableEnded && !this.response.destroyed;
  }

  get buffered(): number {
    return this.response.writableLength;
  }

  behind(): boolean {
    return this.response.writableNeedDrain;
  }

  onDrain(listener: () => void): void {
    this.response.on('drain', listener);
  }

  layout(frames: Frame[]): Buffer {
    return laidOut(this.streamLayout, frames);
  }

  write(bytes: Buffer): void {
    this.response.write(bytes);
  }

  close(disconnect: Disconnect, lingerMs: number): void {
    // The connection goes with the stream: the client opens a new request to reconnect, and a kept-alive
    // (or half-closed) socket would hold a shutdown until the client let go of it. Once the last bytes are
    // with the kernel, closing the descriptor still delivers them.
    this.response.end(this.layout([this.disconnectFrame(disconnect)]), () => this.response.socket?.destroy());
    const deadline = Date.now() + lingerMs;
    const check = () => {
      if (this.response.destroyed || this.response.writableFinished) return;
      if (Date.now() < deadline) return void setTimeout(check, CLOSE_GRACE_MS).unref();
      this.response.destroy();
    };
    setTimeout(check, CLOSE_GRACE_MS).unref();
  }
}
