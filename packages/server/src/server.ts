import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';
import { type Bus, openBus } from './bus/index.js';
import type { Config } from './config.js';
import { getApp } from './domain/auth/apps.js';
import { TokenService } from './domain/auth/tokens.js';
import { TypingTracker } from './domain/channels/typing.js';
import { createLinkPreviewer } from './domain/previews/link-previewer.js';
import { buildHttpApp } from './http/app.js';
import type { ServerContext } from './http/context.js';
import type { HttpTimeouts } from './http/timeouts.js';
import type { TypedApp } from './http/typed.js';
import { createOutboundGuard, type OutboundPolicy, outboundPolicyFromEnv } from './outbound/index.js';
import { openPresence, type PresenceStore } from './presence/index.js';
import { attachGateway, type Gateway, type GatewayOptions } from './realtime/gateway.js';
import { migrateToLatest, openStore, type Store } from './store/index.js';

/** The package version, reported by /health and the OpenAPI document. */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** How long a shutdown waits for requests in flight before it cuts the connections still open. */
export const SHUTDOWN_GRACE_MS = 5000;

/** A running (or ready to run) ChatSDK server. */
export interface ChatServer {
  app: TypedApp;
  context: ServerContext;
  /** The realtime gateway on `/ws`. */
  gateway: Gateway;
  /** Starts listening; resolves to the address. */
  listen(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, closes the bus and the store. */
  close(): Promise<void>;
}

export interface ChatServerOptions {
  config: Config;
  /** An already open store (tests); otherwise opened from the config. */
  store?: Store;
  bus?: Bus;
  presence?: PresenceStore;
  logger?: FastifyServerOptions['logger'];
  realtime?: GatewayOptions;
  /** HTTP connection and request timeouts (tests use short ones); defaults in `http/timeouts.ts`. */
  httpTimeouts?: Partial<HttpTimeouts>;
  /** The outbound guard's policy; by default `CHATSDK_OUTBOUND_ALLOW_HOSTS` from the environment (tests pass their own). */
  outbound?: OutboundPolicy;
}

/** Opens the store, migrates it, and builds the HTTP API. */
export async function createChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const { config } = options;
  // First: a bad allowlist entry stops the start before anything is opened.
  const outbound = createOutboundGuard({ userAgent: `ChatSDK/${VERSION}`, ...(options.outbound ?? outboundPolicyFromEnv(process.env)) });
  const store = options.store ?? openStore(config);
  await migrateToLatest(store);
  const bus = options.bus ?? openBus(config.redisUrl);
  const tokens = new TokenService(async (appId) => (await getApp(store, appId))?.jwtSecret);
  const presence = options.presence ?? openPresence(config.redisUrl);
  const previews = createLinkPreviewer({ store, bus }, { guard: outbound });
  const context: ServerContext = {
    store,
    bus,
    presence,
    tokens,
    typing: new TypingTracker(bus),
    outbound,
    previews,
    version: VERSION,
    startedAt: Date.now(),
  };
  const app = await buildHttpApp(context, {
    logger: options.logger ?? false,
    ...(options.httpTimeouts ? { timeouts: options.httpTimeouts } : {}),
  });
  const gateway = attachGateway(app, context, app.log, options.realtime);
  return {
    app,
    context,
    gateway,
    listen: () => app.listen({ port: config.port, host: config.host }),
    async close() {
      // Sockets first: an open WebSocket would keep the HTTP server from closing.
      await gateway.close();
      context.typing.close();
      // Requests in flight get a few seconds to finish; a connection that holds on past them (one that
      // never sent a request, a client that stopped reading) is cut rather than hold the shutdown.
      const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      cut.unref();
      await app.close();
      clearTimeout(cut);
      // Previews write to the store and publish on the bus: they stop before either closes.
      await previews.close();
      await presence.close();
      await bus.close();
      await store.close();
    },
  };
}
