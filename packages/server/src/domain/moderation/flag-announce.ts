import type { Flag } from '@chatsdk/protocol';
import type { Bus } from '../../bus/bus.js';

/**
 * Tells the app's moderators and admins, on every process, that something
 * was flagged (`moderation.flagged` on their personal streams). After the
 * commit; a lost announcement loses nothing: the queue is in the store.
 *
 * (Issue 17 foundation: written by the flags work.)
 */
export async function announceFlags(bus: Bus, appId: string, flags: readonly Flag[]): Promise<void> {
  void bus;
  void appId;
  void flags;
}
