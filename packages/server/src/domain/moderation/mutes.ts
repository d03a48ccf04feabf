import type { Mute } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { toIso } from '../common/ids.js';
import { getUser } from '../users/users.js';

function noSuchUser(id: string): ApiError {
  return new ApiError('user_not_found', `no user "${id}" in this app`);
}

/**
 * A user's muted users, newest first. A mute is the muter's own quiet: the
 * muted user's messages still arrive and show, they only leave the muter's
 * unread counts (and, once push exists, the muter's notifications).
 */
export async function listMutes(store: Store, appId: string, muterId: string): Promise<Mute[]> {
  const rows = await store.db
    .selectFrom('user_mutes')
    .select(['muted_id', 'created_at'])
    .where('app_id', '=', appId)
    .where('muter_id', '=', muterId)
    .orderBy('created_at', 'desc')
    .orderBy('muted_id')
    .execute();
  return rows.map((r) => ({ userId: r.muted_id, createdAt: toIso(Number(r.created_at)) }));
}

/** Mutes a user of the app; muting again is a no-op that keeps the first time. Answers the muter's mutes. */
export async function muteUser(store: Store, appId: string, muterId: string, userId: string): Promise<Mute[]> {
  if (userId === muterId) throw new ApiError('validation_failed', 'you cannot mute yourself');
  if (!(await getUser(store, appId, userId))) throw noSuchUser(userId);
  await store.db
    .insertInto('user_mutes')
    .values({ app_id: appId, muter_id: muterId, muted_id: userId, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['app_id', 'muter_id', 'muted_id']).doNothing())
    .execute();
  return listMutes(store, appId, muterId);
}

/**
 * Unmutes a user. Unmuting someone not muted is a no-op; 404 only when the
 * id names neither a mute of the muter's nor a user of the app (a deleted
 * user stays on the list and can still be unmuted).
 */
export async function unmuteUser(store: Store, appId: string, muterId: string, userId: string): Promise<Mute[]> {
  const removed = await store.db
    .deleteFrom('user_mutes')
    .where('app_id', '=', appId)
    .where('muter_id', '=', muterId)
    .where('muted_id', '=', userId)
    .executeTakeFirst();
  if (removed.numDeletedRows === 0n && !(await getUser(store, appId, userId))) throw noSuchUser(userId);
  return listMutes(store, appId, muterId);
}
