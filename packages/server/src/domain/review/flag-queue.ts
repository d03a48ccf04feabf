import type { FlagsPage, ListFlagsQuery } from '@chatsdk/protocol';
import type { Store } from '../../store/store.js';
import { decodeTimeKey, encodeTimeKey } from '../common/keyset.js';
import { hydrateFlags } from '../moderation/flag-records.js';

/** Flags per page when the caller gives no limit. */
const DEFAULT_LIMIT = 25;

/**
 * `GET /api/moderation/flags`: the review queue. Pending flags oldest first
 * (a queue: the flag waiting longest comes first; a new report of a pending
 * flag does not send it to the back), reviewed ones newest review first.
 * Both read the `flags_queue` index in its order, keyset-paged by the time
 * the flag entered its status.
 */
export async function listFlags(store: Store, appId: string, query: ListFlagsQuery): Promise<FlagsPage> {
  const status = query.status ?? 'pending';
  const limit = query.limit ?? DEFAULT_LIMIT;
  const ascending = status === 'pending';
  let q = store.db.selectFrom('flags').selectAll().where('app_id', '=', appId).where('status', '=', status);
  if (query.cursor !== undefined) {
    const after = decodeTimeKey(query.cursor);
    const past = ascending ? '>' : '<';
    q = q.where((eb) => eb.or([eb('updated_at', past, after.at), eb.and([eb('updated_at', '=', after.at), eb('id', past, after.id)])]));
  }
  const direction = ascending ? 'asc' : 'desc';
  const rows = await q.orderBy('updated_at', direction).orderBy('id', direction).limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    flags: await hydrateFlags(store.db, appId, page),
    next: rows.length > limit && last ? encodeTimeKey({ at: Number(last.updated_at), id: last.id }) : null,
  };
}
