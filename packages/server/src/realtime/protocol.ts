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
  revoked: { code: 3006, reason: 'credentials revoked' },
  noPong: { code: 3012, reason: 'no pong' },
  slow: { code: 3008, reason: 'slow' },
  invalidToken: { code: 3500, reason: 'invalid token' },
  badRequest: { code: 3501, reason: 'bad request' },
  forceNoReconnect: { code: 3503, reason: 'force disconnect' },
} as const satisfies Record<string, { code: number; reason: string }>;

/** Unsubscribe push codes: below 2500 the subscription ends for good. */
export const UNSUBSCRIBES = {
  removed: { code: 2000, reason: 'removed from channel' },
  channelDeleted: { code: 2001, reason: 'channel deleted' },
} as const satisfies Record<string, { code: number; reason: string }>;

export interface ConnectRequest {
  token?: string;
  name?: string;
  version?: string;
}

export interface SubscribeRequest {
  channel?: string;
  recover?: boolean;
  offset?: number;
  epoch?: string;
}

export interface ChannelRequest {
  channel?: string;
}

/** `{"rpc":{"method","data"}}`; the only method is `typing`. */
export interface RpcRequest {
  method?: string;
  data?: { channel?: unknown; typing?: unknown; parentId?: unknown };
}

/** `{"history":{channel, limit?, since?: {offset, epoch}, reverse?}}` */
export interface HistoryRequest {
  channel?: string;
  limit?: number;
  since?: { offset?: number; epoch?: string };
  reverse?: boolean;
}

export interface RefreshRequest {
  token?: string;
}

/** One command of a frame: `{"id":N,"<method>":{...}}`. An empty object is a pong. */
export interface Command {
  id?: number;
  connect?: ConnectRequest;
  subscribe?: SubscribeRequest;
  unsubscribe?: ChannelRequest;
  publish?: ChannelRequest;
  presence?: ChannelRequest;
  presence_stats?: ChannelRequest;
  history?: HistoryRequest;
  rpc?: RpcRequest;
  refresh?: RefreshRequest;
  sub_refresh?: unknown;
  send?: unknown;
}

/** A publication in a subscribe reply or a push. */
export interface Publication {
  data: unknown;
  offset: number;
}
