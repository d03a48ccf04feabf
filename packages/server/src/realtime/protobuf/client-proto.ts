import { message } from './schema.js';

/*
 * The messages of Centrifugo's client.proto (centrifugal/protocol, package
 * centrifugal.centrifuge.protocol, protocol v2), with the field numbers of
 * that file as the `centrifuge` 5.7 client's bundled protobuf code encodes
 * them. Fields the JSON framing's names share with the proto are the proto's
 * names (snake_case). Reserved numbers (v1's method/params, seq/gen, …) are
 * absent, so a frame using them has them skipped as unknown fields.
 *
 * Left out on purpose: SubscribeRequest.tf (FilterNode, a recursive message
 * the gateway does not read: skipped, so a frame cannot nest it to any depth
 * here) and the fields of SubRefreshRequest past channel and token, which
 * the client's copy and the newest client.proto number differently.
 */

// ---- Client → server: Command and its requests ----

const SubscribeRequest = message('SubscribeRequest', {
  channel: [1, 'string'],
  token: [2, 'string'],
  recover: [3, 'bool'],
  epoch: [6, 'string'],
  offset: [7, 'uint64'],
  data: [8, 'json'],
  positioned: [9, 'bool'],
  recoverable: [10, 'bool'],
  join_leave: [11, 'bool'],
  delta: [12, 'string'],
  flag: [14, 'int64'],
  type: [15, 'int32'],
  phase: [16, 'int32'],
  cursor: [17, 'string'],
  limit: [18, 'int32'],
  asc: [19, 'bool'],
});

const ConnectRequest = message('ConnectRequest', {
  token: [1, 'string'],
  data: [2, 'json'],
  subs: [3, { map: SubscribeRequest }],
  name: [4, 'string'],
  version: [5, 'string'],
  headers: [6, { map: 'string' }],
  flag: [7, 'int64'],
});

const channelOnly = (name: string) => message(name, { channel: [1, 'string'] });

const StreamPosition = message('StreamPosition', { offset: [1, 'uint64'], epoch: [2, 'string'] });

/** `Command`: an id and one request, each method in a field of its own. */
export const Command = message('Command', {
  id: [1, 'uint32'],
  connect: [4, { message: ConnectRequest }],
  subscribe: [5, { message: SubscribeRequest }],
  unsubscribe: [6, { message: channelOnly('UnsubscribeRequest') }],
  publish: [7, { message: message('PublishRequest', { channel: [1, 'string'], data: [2, 'json'], type: [3, 'int32'], key: [4, 'string'], removed: [5, 'bool'] }) }],
  presence: [8, { message: channelOnly('PresenceRequest') }],
  presence_stats: [9, { message: channelOnly('PresenceStatsRequest') }],
  history: [
    10,
    { message: message('HistoryRequest', { channel: [1, 'string'], limit: [7, 'int32'], since: [8, { message: StreamPosition }], reverse: [9, 'bool'] }) },
  ],
  ping: [11, { message: message('PingRequest', {}) }],
  send: [12, { message: message('SendRequest', { data: [1, 'json'] }) }],
  rpc: [13, { message: message('RPCRequest', { data: [1, 'json'], method: [2, 'string'] }) }],
  refresh: [14, { message: message('RefreshRequest', { token: [1, 'string'] }) }],
  sub_refresh: [15, { message: message('SubRefreshRequest', { channel: [1, 'string'], token: [2, 'string'] }) }],
});

// ---- Server → client: Reply, its results, and Push ----

const ClientInfo = message('ClientInfo', { user: [1, 'string'], client: [2, 'string'], conn_info: [3, 'json'], chan_info: [4, 'json'] });

const Publication = message('Publication', {
  data: [4, 'json'],
  info: [5, { message: ClientInfo }],
  offset: [6, 'uint64'],
  tags: [7, { map: 'string' }],
  delta: [8, 'bool'],
  time: [9, 'int64'],
  channel: [10, 'string'],
  key: [11, 'string'],
  removed: [12, 'bool'],
  score: [13, 'sint64'],
  epoch: [14, 'string'],
  prev_data: [15, 'json'],
  version: [16, 'uint64'],
});

const SubscribeResult = message('SubscribeResult', {
  expires: [1, 'bool'],
  ttl: [2, 'uint32'],
  recoverable: [3, 'bool'],
  epoch: [6, 'string'],
  publications: [7, { repeated: Publication }],
  recovered: [8, 'bool'],
  offset: [9, 'uint64'],
  positioned: [10, 'bool'],
  data: [11, 'json'],
  was_recovering: [12, 'bool'],
  delta: [13, 'bool'],
  id: [14, 'int64'],
  type: [15, 'int32'],
  phase: [16, 'int32'],
  cursor: [17, 'string'],
  state: [18, { repeated: Publication }],
  publish_debounce: [19, 'uint32'],
});

/** The fields ConnectResult (a reply) and Connect (a push) share, at the same numbers. */
const connectFields = {
  client: [1, 'string'],
  version: [2, 'string'],
  ping: [7, 'uint32'],
  pong: [8, 'bool'],
  session: [9, 'string'],
  node: [10, 'string'],
  time: [11, 'int64'],
} as const;

const Push = message('Push', {
  id: [1, 'int64'],
  channel: [2, 'string'],
  pub: [4, { message: Publication }],
  join: [5, { message: message('Join', { info: [1, { message: ClientInfo }] }) }],
  leave: [6, { message: message('Leave', { info: [1, { message: ClientInfo }] }) }],
  unsubscribe: [7, { message: message('Unsubscribe', { code: [2, 'uint32'], reason: [3, 'string'] }) }],
  message: [8, { message: message('Message', { data: [1, 'json'] }) }],
  subscribe: [
    9,
    { message: message('Subscribe', { recoverable: [1, 'bool'], epoch: [4, 'string'], offset: [5, 'uint64'], positioned: [6, 'bool'], data: [7, 'json'] }) },
  ],
  connect: [
    10,
    { message: message('Connect', { ...connectFields, data: [3, 'json'], subs: [4, { map: SubscribeResult }], expires: [5, 'bool'], ttl: [6, 'uint32'] }) },
  ],
  disconnect: [11, { message: message('Disconnect', { code: [1, 'uint32'], reason: [2, 'string'], reconnect: [3, 'bool'] }) }],
  refresh: [12, { message: message('Refresh', { expires: [1, 'bool'], ttl: [2, 'uint32'] }) }],
});

const ttlResult = { expires: [1, 'bool'], ttl: [2, 'uint32'] } as const;

/** `Reply`: an id with an error or one result, or (id 0) a push, or (empty) the server's ping. */
export const Reply = message('Reply', {
  id: [1, 'uint32'],
  error: [2, { message: message('Error', { code: [1, 'uint32'], message: [2, 'string'], temporary: [3, 'bool'] }) }],
  push: [4, { message: Push }],
  connect: [
    5,
    {
      message: message('ConnectResult', {
        ...connectFields,
        expires: [3, 'bool'],
        ttl: [4, 'uint32'],
        data: [5, 'json'],
        subs: [6, { map: SubscribeResult }],
      }),
    },
  ],
  subscribe: [6, { message: SubscribeResult }],
  unsubscribe: [7, { message: message('UnsubscribeResult', {}) }],
  // Empty in the client's copy; the newest client.proto adds `debounce = 1`, which the gateway never sends.
  publish: [8, { message: message('PublishResult', {}) }],
  presence: [9, { message: message('PresenceResult', { presence: [1, { map: ClientInfo }] }) }],
  presence_stats: [10, { message: message('PresenceStatsResult', { num_clients: [1, 'uint32'], num_users: [2, 'uint32'] }) }],
  history: [11, { message: message('HistoryResult', { publications: [1, { repeated: Publication }], epoch: [2, 'string'], offset: [3, 'uint64'] }) }],
  ping: [12, { message: message('PingResult', {}) }],
  rpc: [13, { message: message('RPCResult', { data: [1, 'json'] }) }],
  refresh: [14, { message: message('RefreshResult', { client: [1, 'string'], version: [2, 'string'], expires: [3, 'bool'], ttl: [4, 'uint32'] }) }],
  sub_refresh: [15, { message: message('SubRefreshResult', { ...ttlResult, items: [3, { repeated: Publication }] }) }],
});
