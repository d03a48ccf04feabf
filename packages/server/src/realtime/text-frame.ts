import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * A complete unmasked WebSocket text frame (RFC 6455 §5.2): FIN and opcode
 * 1, the payload length in 7, 7+16 or 7+64 bits, then the payload. Servers
 * never mask, so one frame's bytes are the same for every socket and can be
 * built once for all of them.
 */
export function textFrame(payload: Buffer): Buffer {
  return dataFrame(payload, 0x81);
}

/** The same as a binary frame (opcode 2), for the Protobuf framing. */
export function binaryFrame(payload: Buffer): Buffer {
  return dataFrame(payload, 0x82);
}

function dataFrame(payload: Buffer, first: number): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = first;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/**
 * The TCP socket under a `ws` WebSocket, for writing frames built by
 * `textFrame` in one write call: `ws.send` costs a header allocation and a
 * corked two-part write per socket, a third of a delivery's cost when an
 * event goes to a thousand sockets. This is safe because the server never
 * negotiates compression (gateway.ts): `ws` then writes each frame of its own
 * (pings, pongs, close) whole and at once, so frames never interleave, and
 * its `bufferedAmount` counts what waits in this socket.
 */
export function rawSocketOf(socket: WebSocket): Socket | undefined {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  return raw && typeof raw.write === 'function' ? raw : undefined;
}
