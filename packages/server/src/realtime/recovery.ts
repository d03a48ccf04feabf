import type { Store } from '../store/store.js';
import type { Publication } from './protocol.js';

/** Past this many missed events, a client reloads the channel instead of replaying them. */
export const RECOVERY_LIMIT = 1000;

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
  const channel = await store.db
    .selectFrom('channels')
    .select(['last_offset', 'epoch'])
    .where('app_id', '=', appId)
    .where('id', '=', channelId)
    .executeTakeFirst();
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
