import type { RawData, WebSocket } from 'ws';
import { ClientConnection } from '../connection.js';
import { JSON_FRAMING, PROTOBUF_FRAMING } from '../framing.js';
import { WebSocketOutlet } from '../outlets/websocket.js';
import { DISCONNECTS } from '../protocol.js';
import type { GatewayServices } from '../services.js';
import type { Transport } from '../transport.js';

/** The paths of the WebSocket transport: ChatSDK's own, and Centrifugo's. */
export const WEBSOCKET_PATHS: ReadonlySet<string> = new Set(['/ws', '/connection/websocket']);

/** The subprotocol of the Protobuf framing, as every Centrifugo SDK asks for it. */
export const PROTOBUF_SUBPROTOCOL = 'centrifuge-protobuf';
/** The JSON framing's subprotocol, for clients that name it; without any, a socket speaks JSON. */
export const JSON_SUBPROTOCOL = 'centrifuge-json';

/** `ws`'s `handleProtocols`: the framing the client offered, or none (JSON). */
export function chooseSubprotocol(offered: Set<string>): string | false {
  if (offered.has(PROTOBUF_SUBPROTOCOL)) return PROTOBUF_SUBPROTOCOL;
  if (offered.has(JSON_SUBPROTOCOL)) return JSON_SUBPROTOCOL;
  return false;
}

function bytesOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * A session over a WebSocket: text frames of JSON, or binary frames of
 * Protobuf when the handshake chose `centrifuge-protobuf`. A frame of the
 * other kind is a protocol violation.
 */
export function acceptWebSocket(
  socket: WebSocket,
  services: GatewayServices,
  origin: string | undefined,
  onClose: (connection: ClientConnection) => void,
): ClientConnection {
  const binary = socket.protocol === PROTOBUF_SUBPROTOCOL;
  const transport: Transport = {
    framing: binary ? PROTOBUF_FRAMING : JSON_FRAMING,
    outlet: new WebSocketOutlet(socket, binary),
    emulated: false,
    end: () => socket.close(),
    destroy: () => socket.terminate(),
  };
  const connection = new ClientConnection(transport, services, origin, onClose);
  socket.on('message', (data, isBinary) => {
    if (isBinary !== binary) return connection.disconnect(DISCONNECTS.badRequest);
    connection.receive(bytesOf(data));
  });
  socket.on('close', () => connection.ended());
  socket.on('error', () => connection.ended());
  return connection;
}
