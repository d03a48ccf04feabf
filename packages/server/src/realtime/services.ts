import type { FastifyBaseLogger } from 'fastify';
import type { ServerContext } from '../http/context.js';
import type { ChannelHub } from './hub.js';
import type { PersonalStreams } from './personal.js';
import type { PresenceTracker } from './presence-tracker.js';
import type { UserSessions } from './user-sessions.js';

/** Seconds between server pings; the client answers each with an empty command. */
export const PING_SECONDS = 25;
/** Subscriptions one connection may hold, unless configured. */
export const MAX_SUBSCRIPTIONS = 1000;

/**
 * What every connection of a gateway shares. It lives apart from the gateway
 * so that a connection needs only this, and the gateway (which makes
 * connections) is the one that imports the other.
 */
export interface GatewayServices {
  ctx: ServerContext;
  hub: ChannelHub;
  personal: PersonalStreams;
  presence: PresenceTracker;
  log: FastifyBaseLogger;
  recoveryLimit: number;
  maxSubscriptions: number;
  /** How long a socket may go without a successful connect before it is closed as stale. */
  connectTimeoutMs: number;
  /** This process's name among the gateway's nodes: emulation requests are routed to the node holding the session. */
  node: string;
  /** The connected sessions of each user on this process, for the per-user connection limit. */
  userSessions: UserSessions;
}
