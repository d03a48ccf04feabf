import type { AppEvent, User } from '@chatsdk/protocol';
import type { Store } from '../../store/store.js';
import { toIso } from '../common/ids.js';
import type { Tx } from '../events/batch-end.js';
import { recordEvent } from '../events/event-sinks.js';

/**
 * Records a user event (`user.created`, `user.updated`, `user.deleted`) in
 * the transaction of the change, for the store's event sinks (webhooks):
 * it commits with the change or not at all. Its lane is the user's, so one
 * user's events are delivered in order.
 */
export function recordUserEvent(store: Store, trx: Tx, appId: string, type: AppEvent['type'], user: User, at = Date.now()): void {
  const event: AppEvent = { type, user, createdAt: toIso(at) };
  recordEvent(store, trx, { appId, lane: `user:${user.id}`, type, json: JSON.stringify(event), at });
}
