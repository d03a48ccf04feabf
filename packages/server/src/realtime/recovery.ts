import type { Store } from '../store/store.js';
import type { Publication } from './protocol.js';

/** Past this many missed events, a client reloads the channel instead of replaying them. */
export const RECOVERY_LIMIT = 1000;

/** The stream's newest offset and its epoch. */
function channelPosition(store: Store, appId: string, channelId: string) {
  return store.db
    .selectFrom('channels')
    .select(['last_offset', 'epoch'])
    .where('app_id', '=', appId)
    .where('id', '=', channelId)
    .executeTakeFirst();
}

/** What a subscribe answers about position: where the stream is, and what the client missed. */
export interface RecoveryResult {
  offset: number;
  epoch: string;
  recovered: boolean;
  publications: Publication[];
}

/**
 * The channel's position, and when the client asks to recover from
 * `{ offset, epoch }`, every event after that offset, from the store. A
 * different epoch, an offset ahead of the stream, or a gap past the limit
 * answers `recovered: false`: the client reloads.
 */
export async function recover(
  store: Store,
  appId: string,
  channelId: string,
  request: { recover?: boolean; offset?: number; epoch?: string },
  limit = RECOVERY_LIMIT,
): Promise<RecoveryResult | undefined> {
  const channel = await channelPosition(store, appId, channelId);
  if (!channel) return undefined;
  const base = { offset: channel.last_offset, epoch: channel.epoch };
  if (!request.recover) return { ...base, recovered: false, publications: [] };
  const from = request.offset ?? 0;
  if (request.epoch !== channel.epoch || from > channel.last_offset || channel.last_offset - from > limit) {
    return { ...base, recovered: false, publications: [] };
  }
  const rows = await store.db
    .selectFrom('channel_events')
    .select(['stream_offset', 'payload'])
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId)
    .where('stream_offset', '>', from)
    .where('stream_offset', '<=', channel.last_offset)
    .orderBy('stream_offset')
    .execute();
  return {
    ...base,
    recovered: true,
    publications: rows.map((row) => ({ data: JSON.parse(row.payload) as unknown, offset: row.stream_offset })),
  };
}

/** Largest `limit` a history call may ask for. */
export const HISTORY_LIMIT = 1000;

/** A history request as the client sends it. */
export interface HistoryQuery {
  limit?: number;
  since?: { offset?: number; epoch?: string };
  reverse?: boolean;
}

/**
 * The protocol's `history`: the channel's position, and up to `limit` stored
 * events after `since` (or the newest ones), oldest first unless `reverse`.
 * `limit` 0 answers the position only. A `since` from another epoch is the
 * caller's stale state: undefined, answered as an unrecoverable position.
 */
export async function history(store: Store, appId: string, channelId: string, query: HistoryQuery): Promise<RecoveryResult | 'stale' | undefined> {
  const channel = await channelPosition(store, appId, channelId);
  if (!channel) return undefined;
  if (query.since?.epoch !== undefined && query.since.epoch !== channel.epoch) return 'stale';
  const limit = Math.min(Math.max(0, query.limit ?? 0), HISTORY_LIMIT);
  const base = { offset: channel.last_offset, epoch: channel.epoch, recovered: false };
  if (limit === 0) return { ...base, publications: [] };
  const newestFirst = query.reverse === true || query.since === undefined;
  let rows = store.db
    .selectFrom('channel_events')
    .select(['stream_offset', 'payload'])
    .where('app_id', '=', appId)
    .where('channel_id', '=', channelId);
  if (query.since) {
    const since = query.since.offset ?? 0;
    rows = query.reverse ? rows.where('stream_offset', '<', since) : rows.where('stream_offset', '>', since);
  }
  const found = await rows.orderBy('stream_offset', newestFirst ? 'desc' : 'asc').limit(limit).execute();
  // Without `since` and `reverse`: the newest `limit` events, answered oldest first.
  const ordered = query.since === undefined && !query.reverse ? found.reverse() : found;
  return { ...base, publications: ordered.map((row) => ({ data: JSON.parse(row.payload) as unknown, offset: row.stream_offset })) };
}
