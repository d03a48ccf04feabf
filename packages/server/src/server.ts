import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { type Bus, openBus } from './bus/index.js';
import type { Config } from './config.js';
import { getApp } from './domain/auth/apps.js';
import { TokenService } from './domain/auth/tokens.js';
import { TypingTracker } from './domain/channels/typing.js';
import { bindFileStore } from './domain/files/upload-deletes.js';
import { bindLinkBase } from './domain/files/upload-links.js';
import { SWEEP_INTERVAL_MS, sweepUploads } from './domain/files/upload-sweep.js';
import { createLinkPreviewer } from './domain/previews/link-previewer.js';
import { webhookDeliveryFromEnv } from './domain/webhooks/delivery-settings.js';
import { startWebhookDelivery, type WebhookDeliveryOptions } from './domain/webhooks/webhook-delivery.js';
import { type FileStore, openFileStore } from './files/index.js';
import { buildHttpApp } from './http/app.js';
import type { ServerContext } from './http/context.js';
import type { HttpTimeouts } from './http/timeouts.js';
import type { TypedApp } from './http/typed.js';
import { OUTBOX_SWEEP_INTERVAL_MS, sweepOutbox } from './outbox/index.js';
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
  /** Where uploads' bytes go; by default the config's (S3 when `S3_BUCKET` is set, else `dataDir/uploads`). Closed with the server. */
  files?: FileStore;
  /**
   * Webhook delivery: retry schedule, poll interval, lease, per-endpoint
   * concurrency, attempt timeout (tests shrink them); by default from the
   * environment (`CHATSDK_WEBHOOK_*`, `CHATSDK_OUTBOX_*`), else the defaults.
   */
  webhooks?: WebhookDeliveryOptions;
}

/** The origin a server listening at `address` is reached at from this machine, when no public URL is configured. */
function listeningOrigin(address: AddressInfo | string | null): string | undefined {
  if (address === null || typeof address === 'string') return undefined;
  const host = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Opens the store, migrates it, and builds the HTTP API. */
export async function createChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const { config } = options;
  // First: a bad allowlist entry (or webhook setting) stops the start before anything is opened.
  const outboundPolicy = options.outbound ?? outboundPolicyFromEnv(process.env);
  const outbound = createOutboundGuard({ userAgent: `ChatSDK/${VERSION}`, ...outboundPolicy });
  const webhookOptions = options.webhooks ?? webhookDeliveryFromEnv(process.env);
  const store = options.store ?? openStore(config);
  await migrateToLatest(store);
  const bus = options.bus ?? openBus(config.redisUrl);
  const tokens = new TokenService(async (appId) => (await getApp(store, appId))?.jwtSecret);
  const presence = options.presence ?? openPresence(config.redisUrl);
  const previews = createLinkPreviewer({ store, bus }, { guard: outbound });
  const files = options.files ?? await openFileStore({ dataDir: config.dataDir, s3: config.s3 });
  bindFileStore(store, files);
  if (config.publicUrl) bindLinkBase(store, config.publicUrl);
  const context: ServerContext = {
    store,
    bus,
    presence,
    tokens,
    typing: new TypingTracker(bus),
    outbound,
    previews,
    files,
    webhookUrls: { allowHttp: config.allowHttpWebhooks === true, allowHosts: outboundPolicy.allowHosts ?? [] },
    version: VERSION,
    startedAt: Date.now(),
  };
  const app = await buildHttpApp(context, {
    logger: options.logger ?? false,
    ...(options.httpTimeouts ? { timeouts: options.httpTimeouts } : {}),
  });
  const gateway = attachGateway(app, context, app.log, options.realtime);
  // Before the first request: from here every transaction writes its events' webhook deliveries.
  // While the store is away every poll fails: one warning in 10 s says so without flooding the log.
  let warnedAt = 0;
  const webhooks = startWebhookDelivery(store, outbound, webhookOptions, (error) => {
    if (Date.now() - warnedAt < 10_000) return;
    warnedAt = Date.now();
    app.log.warn({ err: error }, 'webhook delivery failed on the store; the lease runs out and it is tried again');
  });
  // Uploads never attached, and bytes a delete could not remove, go within the hour after their time.
  const sweep = setInterval(() => {
    sweepUploads({ store, files }).catch((error: unknown) => app.log.warn({ err: error }, 'upload sweep failed; the next one retries'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  // Finished deliveries stay 7 days for the delivery log and replay, then go.
  const outboxSweep = setInterval(() => {
    sweepOutbox(store.db).catch((error: unknown) => app.log.warn({ err: error }, 'outbox sweep failed; the next one retries'));
  }, OUTBOX_SWEEP_INTERVAL_MS);
  outboxSweep.unref();
  return {
    app,
    context,
    gateway,
    async listen() {
      const address = await app.listen({ port: config.port, host: config.host });
      // File links name this server; without CHATSDK_PUBLIC_URL, by the address it listens on.
      const origin = config.publicUrl ?? listeningOrigin(app.server.address());
      if (origin) bindLinkBase(store, origin);
      return address;
    },
    async close() {
      clearInterval(sweep);
      clearInterval(outboxSweep);
      // Sockets first: an open WebSocket would keep the HTTP server from closing.
      await gateway.close();
      context.typing.close();
      // Requests in flight get a few seconds to finish; a connection that holds on past them (one that
      // never sent a request, a client that stopped reading) is cut rather than hold the shutdown.
      const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      cut.unref();
      await app.close();
      clearTimeout(cut);
      // Deliveries in flight are cut short and their leases given back, before the store closes.
      await webhooks.close();
      // Previews write to the store and publish on the bus: they stop before either closes.
      await previews.close();
      await presence.close();
      await bus.close();
      await store.close();
      await files.close();
    },
  };
}
