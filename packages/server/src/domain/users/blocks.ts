import type { Block } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { toIso } from '../common/ids.js';
import { getUser } from './users.js';

function noSuchUser(id: string): ApiError {
  return new ApiError('user_not_found', `no user "${id}" in this app`);
}

/**
 * A user's whole block list, newest first. Deleted users stay on it:
 * a restored user is still blocked, and the blocker can still unblock them.
 */
export async function listBlocks(store: Store, appId: string, blockerId: string): Promise<Block[]> {
  const rows = await store.db
    .selectFrom('blocks')
    .select(['blocked_id', 'created_at'])
    .where('app_id', '=', appId)
    .where('blocker_id', '=', blockerId)
    .orderBy('created_at', 'desc')
    .orderBy('blocked_id')
    .execute();
  return rows.map((r) => ({ userId: r.blocked_id, createdAt: toIso(r.created_at) }));
}

/**
 * Blocks a user of the app: their messages in distinct (direct) channels with
 * the blocker are then refused by the send path. Blocking again is a no-op that
 * keeps the original time. Answers the blocker's block list.
 */
export async function blockUser(store: Store, appId: string, blockerId: string, userId: string): Promise<Block[]> {
  if (userId === blockerId) throw new ApiError('validation_failed', 'you cannot block yourself');
  if (!(await getUser(store, appId, userId))) throw noSuchUser(userId);
  await store.db
    .insertInto('blocks')
    .values({ app_id: appId, blocker_id: blockerId, blocked_id: userId, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['app_id', 'blocker_id', 'blocked_id']).doNothing())
    .execute();
  return listBlocks(store, appId, blockerId);
}

/**
 * Unblocks a user. Unblocking someone not blocked is a no-op; 404 only when
 * the id names neither a block of the blocker's nor a user of the app.
 */
export async function unblockUser(store: Store, appId: string, blockerId: string, userId: string): Promise<Block[]> {
  const removed = await store.db
    .deleteFrom('blocks')
    .where('app_id', '=', appId)
    .where('blocker_id', '=', blockerId)
    .where('blocked_id', '=', userId)
    .executeTakeFirst();
  if (removed.numDeletedRows === 0n && !(await getUser(store, appId, userId))) throw noSuchUser(userId);
  return listBlocks(store, appId, blockerId);
}
