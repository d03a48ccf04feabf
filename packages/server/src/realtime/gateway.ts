import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type WebSocket, WebSocketServer } from 'ws';
import { REVOCATIONS_TOPIC, type Revocation } from '../domain/auth/revocations.js';
import { type BanAnnouncement, BANS_TOPIC } from '../domain/moderation/bans.js';
import type { ServerContext } from '../http/context.js';
import type { TypedApp } from '../http/typed.js';
import type { ClientConnection } from './connection.js';
import { ChannelHub } from './hub.js';
import { CLOSE_GRACE_MS } from './outlets/websocket.js';
import { PersonalStreams } from './personal.js';
import { PresenceTracker } from './presence-tracker.js';
import { DISCONNECTS } from './protocol.js';
import { RECOVERY_LIMIT } from './recovery.js';
import { type GatewayServices, MAX_SUBSCRIPTIONS, PING_SECONDS } from './services.js';
import { EmulationRouter } from './transports/emulation-router.js';
import { registerStreamTransports } from './transports/streams.js';
import { acceptWebSocket, chooseSubprotocol, WEBSOCKET_PATHS } from './transports/websocket.js';
import { UserSessions } from './user-sessions.js';

/** Largest frame a client may send. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** The realtime gateway: its sessions on every transport and the hub they share. */
export interface Gateway {
  readonly connections: ReadonlySet<ClientConnection>;
  readonly hub: ChannelHub;
  /** The options in force, defaults filled in. */
  readonly settings: Readonly<Required<GatewayOptions>>;
  /** Disconnects every client (they reconnect elsewhere) and stops accepting. */
  close(): Promise<void>;
}

/** Gateway settings. */
export interface GatewayOptions {
  /** Most missed events a subscribe replays before answering `recovered: false`. */
  recoveryLimit?: number;
  /** How long a user stays online after their last connection closes (default 5 s): a reconnect does not flap. */
  offlineDelayMs?: number;
  /** Subscriptions one connection may hold (default 1,000). */
  maxSubscriptions?: number;
  /** Channels with more members than this (default 100) carry no user.online / user.offline. */
  presenceMemberLimit?: number;
  /** How long a socket may stay open without a successful connect (default 10 s); then it is closed with 3502. */
  connectTimeoutMs?: number;
}

/** How long a user stays online after their last connection closes, unless configured. */
export const OFFLINE_DELAY_MS = 5000;
/** Channels with more members than this carry no presence events, unless configured. */
export const PRESENCE_MEMBER_LIMIT = 100;
/** How long a socket may stay open without a successful connect, unless configured: the real client connects at once. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Serves the Centrifugo client protocol on the API's own port: WebSocket on
 * `/ws` and Centrifugo's `/connection/websocket` (JSON, or Protobuf with the
 * `centrifuge-protobuf` subprotocol), HTTP streaming on
 * `/connection/http_stream` and SSE on `/connection/sse` with their commands
 * posted to `/emulation`. One timer pings every session and drops those that
 * stopped answering.
 */
export function attachGateway(app: TypedApp, ctx: ServerContext, log: FastifyBaseLogger, options: GatewayOptions = {}): Gateway {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (offered) => chooseSubprotocol(offered),
  });
  const settings: Required<GatewayOptions> = {
    recoveryLimit: options.recoveryLimit ?? RECOVERY_LIMIT,
    offlineDelayMs: options.offlineDelayMs ?? OFFLINE_DELAY_MS,
    maxSubscriptions: options.maxSubscriptions ?? MAX_SUBSCRIPTIONS,
    presenceMemberLimit: options.presenceMemberLimit ?? PRESENCE_MEMBER_LIMIT,
    connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
  };
  const hub = new ChannelHub(ctx.bus, ctx.store);
  const presence = new PresenceTracker(ctx.presence, ctx.store, log);
  const personal = new PersonalStreams(ctx, presence, log, settings.offlineDelayMs, settings.presenceMemberLimit);
  // Emulation requests name the process that holds their session; each process answers to its own name.
  const node = randomUUID();
  const services: GatewayServices = {
    ctx,
    hub,
    personal,
    presence,
    log,
    recoveryLimit: settings.recoveryLimit,
    maxSubscriptions: settings.maxSubscriptions,
    connectTimeoutMs: settings.connectTimeoutMs,
    node,
    userSessions: new UserSessions(),
  };
  const connections = new Set<ClientConnection>();
  const emulation = new EmulationRouter(ctx.bus, node, (error) => log.error({ err: error }, 'cannot subscribe to emulation requests'));
  const forget = (connection: ClientConnection) => {
    connections.delete(connection);
    emulation.remove(connection);
  };

  app.server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (!WEBSOCKET_PATHS.has(path)) {
      socket.destroy();
      return;
    }
    // Python's `websockets` sends an empty header when no subprotocol is asked; `ws` would refuse the
    // handshake (400), Centrifugo reads it as none.
    if (request.headers['sec-websocket-protocol']?.trim() === '') delete request.headers['sec-websocket-protocol'];
    // Read what the connection needs here: a callback that closed over `request` would keep the
    // upgrade request and its headers alive as long as the connection.
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
    wss.handleUpgrade(request, socket, head, (ws) => open(ws, origin));
  });
  const open = (ws: WebSocket, origin: string | undefined) => connections.add(acceptWebSocket(ws, services, origin, forget));
  registerStreamTransports(app, services, emulation, (connection) => connections.add(connection), forget);

  // A revoked or deleted user's connections end on every process; they reconnect, and the connect
  // (checked against the store) asks the client for a fresh token or refuses the user.
  const stopRevocations = ctx.bus
    .subscribe(REVOCATIONS_TOPIC, (json) => {
      const { appId, userId } = JSON.parse(json) as Revocation;
      for (const connection of connections) if (connection.isUser(appId, userId)) connection.disconnect(DISCONNECTS.revoked);
    })
    .catch((error: unknown) => {
      // The bus is down (health reports it): connects and refreshes still check the store.
      log.error({ err: error }, 'cannot subscribe to revocations');
      return async () => {};
    });

  // A ban ends what it forbids on every process at once: an app ban every socket of the user (3505, the
  // client does not reconnect), a channel ban their subscription to that channel (2002, it does not resubscribe).
  const stopBans = ctx.bus
    .subscribe(BANS_TOPIC, (json) => {
      const { appId, userId, channelId, lifted } = JSON.parse(json) as BanAnnouncement;
      // The personal stream stops (or starts again) carrying the channel's news: its index is per process, not per connection.
      if (channelId !== null) personal.channelBan(appId, userId, channelId, lifted !== true);
      if (lifted) return;
      for (const connection of connections) {
        if (!connection.isUser(appId, userId)) continue;
        if (channelId === null) connection.disconnect(DISCONNECTS.banned);
        else connection.bannedFrom(channelId);
      }
    })
    .catch((error: unknown) => {
      // The bus is down: refreshes and subscribes still read bans from the store.
      log.error({ err: error }, 'cannot subscribe to bans');
      return async () => {};
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
    settings,
    async close() {
      clearInterval(pinger);
      for (const connection of connections) connection.disconnect(DISCONNECTS.shutdown);
      // A socket an earlier disconnect left lingering for a client that stopped reading would hold the
      // HTTP server's close for as long: after the grace the others get, it is cut too.
      setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
        for (const connection of connections) connection.destroy();
      }, CLOSE_GRACE_MS).unref();
      wss.close();
      await (await stopRevocations)();
      await (await stopBans)();
      await emulation.close();
      await personal.close();
      await presence.close();
    },
  };
}
