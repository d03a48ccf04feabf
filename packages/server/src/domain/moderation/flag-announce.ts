import type { Flag, ModerationFlaggedEvent } from '@chatsdk/protocol';
import type { Bus } from '../../bus/bus.js';
import { appTopic } from '../events/events.js';

/**
 * Tells the app's moderators and admins, on every process, that something
 * was flagged (`moderation.flagged` on their personal streams): published
 * on the app's topic, where each process's personal streams pick out their
 * moderators. After the commit; a lost announcement loses nothing: the
 * queue is in the store, and webhooks have the event from the transaction.
 */
export async function announceFlags(bus: Bus, appId: string, flags: readonly Flag[]): Promise<void> {
  for (const flag of flags) {
    // The newest report is the one announced (reports come newest first).
    const event: ModerationFlaggedEvent = { type: 'moderation.flagged', flag, createdAt: flag.reports[0]?.createdAt ?? flag.updatedAt };
    try {
      await bus.publish(appTopic(appId), JSON.stringify(event));
    } catch {
      // Deliberately swallowed: the flag is committed and listed in the queue; a bus away costs only the live notice.
    }
  }
}
