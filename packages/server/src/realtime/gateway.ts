import type { FastifyBaseLogger } from 'fastify';
import { WebSocketServer } from 'ws';
import type { ServerContext } from '../http/context.js';
import type { TypedApp } from '../http/typed.js';
import { ClientConnection, PING_SECONDS } from './connection.js';
import { ChannelHub } from './hub.js';
import { DISCONNECTS } from './protocol.js';

/** Largest frame a client may send. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** The realtime gateway on `/ws`: its connections and the hub they share. */
export interface Gateway {
  readonly connections: ReadonlySet<ClientConnection>;
  readonly hub: ChannelHub;
  /** Disconnects every client (they reconnect elsewhere) and stops accepting. */
  close(): void;
}

/**
 * Serves the Centrifugo client protocol on `/ws`, on the API's own port. One
 * timer pings every connection and drops those that stopped answering.
 */
export function attachGateway(app: TypedApp, ctx: ServerContext, log: FastifyBaseLogger): Gateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const hub = new ChannelHub(ctx.bus, ctx.store);
  const connections = new Set<ClientConnection>();

  app.server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/ws') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
      connections.add(new ClientConnection(ws, ctx, hub, (c) => connections.delete(c), log, origin));
    });
  });

  const pinger = setInterval(() => {
    const deadline = Date.now() - (PING_SECONDS + 10) * 1000;
    for (const connection of connections) {
      if (connection.lastSeen < deadline) connection.disconnect(DISCONNECTS.noPong);
      else connection.ping();
    }
  }, PING_SECONDS * 1000);
  pinger.unref();

  return {
    connections,
    hub,
    close() {
      clearInterval(pinger);
      for (const connection of connections) connection.disconnect(DISCONNECTS.shutdown);
      wss.close();
    },
  };
}
