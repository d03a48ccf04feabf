/**
 * The Centrifugo client protocol v2 in its JSON framing, as far as the
 * gateway speaks it. Field names are the real `centrifuge` client's (see
 * shared/REALTIME-PROTOCOL.md); codes follow the protocol's tables.
 */

/** Reply errors (`{"id":N,"error":{code,message,temporary}}`). */
export const REPLY_ERRORS = {
  internal: { code: 100, message: 'internal server error', temporary: true },
  unauthorized: { code: 101, message: 'unauthorized' },
  unknownChannel: { code: 102, message: 'unknown channel' },
  permissionDenied: { code: 103, message: 'permission denied' },
  methodNotFound: { code: 104, message: 'method not found' },
  alreadySubscribed: { code: 105, message: 'already subscribed' },
  limitExceeded: { code: 106, message: 'limit exceeded' },
  badRequest: { code: 107, message: 'bad request' },
  notAvailable: { code: 108, message: 'not available' },
  tokenExpired: { code: 109, message: 'token expired' },
  unrecoverablePosition: { code: 112, message: 'unrecoverable position' },
} as const satisfies Record<string, { code: number; message: string; temporary?: boolean }>;

/** A reply error on the wire. */
export type ReplyError = (typeof REPLY_ERRORS)[keyof typeof REPLY_ERRORS];

/**
 * Disconnect codes. 3000–3499 let the client reconnect; 3500 and above stop
 * it, because reconnecting with the same credentials or frames cannot help.
 */
export const DISCONNECTS = {
  shutdown: { code: 3001, reason: 'shutdown' },
  expired: { code: 3005, reason: 'connection expired' },
  slow: { code: 3008, reason: 'slow' },
  /**
   * The user's tokens were revoked (or the user deleted): Centrifugo's "force
   * reconnect". The reconnect's connect is checked against the store, which
   * makes the client ask its backend for a new token, or refuses the user.
   */
  revoked: { code: 3011, reason: 'force reconnect' },
  noPong: { code: 3012, reason: 'no pong' },
  invalidToken: { code: 3500, reason: 'invalid token' },
  badRequest: { code: 3501, reason: 'bad request' },
  /** No successful connect in time: a stale or hostile socket, not a client a retry would help. */
  stale: { code: 3502, reason: 'stale' },
  forceNoReconnect: { code: 3503, reason: 'force disconnect' },
  /** The user holds as many connections as the app allows (`maxConnectionsPerUser`). */
  connectionLimit: { code: 3504, reason: 'connection limit' },
  /** The user is banned from the app: reconnecting cannot help until the ban ends or is lifted. */
  banned: { code: 3505, reason: 'banned' },
} as const satisfies Record<string, { code: number; reason: string }>;

/** A disconnect push (and close code) on the wire. */
export type Disconnect = (typeof DISCONNECTS)[keyof typeof DISCONNECTS];

/** Unsubscribe push codes: below 2500 the subscription ends for good. */
export const UNSUBSCRIBES = {
  removed: { code: 2000, reason: 'removed from channel' },
  channelDeleted: { code: 2001, reason: 'channel deleted' },
  /** Banned from the channel. */
  banned: { code: 2002, reason: 'banned from channel' },
} as const satisfies Record<string, { code: number; reason: string }>;

/*
 * Requests as the gateway reads them, after commands.ts has checked them: a
 * field the client may leave out is optional, every one present has its type.
 */

/** `{"connect":{token?, name?, version?}}`: only the token is read. */
export interface ConnectRequest {
  token?: string;
}

/** `{"subscribe":{channel, recover?, offset?, epoch?}}`; the client's other fields are ignored. */
export interface SubscribeRequest {
  channel: string;
  recover: boolean;
  offset?: number;
  epoch?: string;
}

/** A request about one channel: `unsubscribe`, `publish`, `presence`, `presence_stats`. */
export interface ChannelRequest {
  channel: string;
}

/** The `typing` rpc's data: `{"rpc":{"method":"typing","data":{channel, typing, parentId?}}}`. */
export interface TypingRequest {
  channel: string;
  typing: boolean;
  parentId?: string;
}

/** `{"history":{channel, limit?, since?: {offset?, epoch?}, reverse?}}` */
export interface HistoryRequest {
  channel: string;
  limit?: number;
  since?: { offset?: number; epoch?: string };
  reverse?: boolean;
}

/** `{"refresh":{token?}}` */
export interface RefreshRequest {
  token?: string;
}

/** A publication in a subscribe reply or a push. */
export interface Publication {
  data: unknown;
  offset: number;
}
