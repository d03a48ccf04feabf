import type { Bus } from '../../bus/bus.js';
import type { Store } from '../../store/store.js';
import type { BanRecord } from '../auth/ban-records.js';
import type { Tx } from '../events/batch-end.js';

/** A ban to write: app-wide when `channelId` is null. */
export interface BanInput {
  appId: string;
  userId: string;
  channelId: string | null;
  reason?: string | null;
  timeoutMinutes?: number;
  shadow?: boolean;
}

/**
 * Writes (or replaces) a ban inside the caller's transaction, with its audit
 * entry and its `user.banned` webhook event: a review that bans commits the
 * review and the ban together. `actorId` is the moderator, null for the
 * server. The caller announces it with `announceBan` after the commit.
 *
 * (Issue 17 foundation: written by the bans work.)
 */
export async function writeBan(trx: Tx, store: Store, actorId: string | null, input: BanInput): Promise<BanRecord> {
  void trx;
  void store;
  void actorId;
  const now = Date.now();
  return {
    appId: input.appId,
    userId: input.userId,
    channelId: input.channelId,
    shadow: input.shadow === true,
    reason: input.reason ?? null,
    bannedBy: actorId,
    createdAt: now,
    expiresAt: input.timeoutMinutes === undefined ? null : now + input.timeoutMinutes * 60_000,
  };
}

/**
 * Tells every process, after the commit, to end what the ban forbids: an
 * app ban closes the user's sockets, a channel ban ends their subscription
 * to the channel. A shadow ban is not announced: nothing may change for its user.
 *
 * (Issue 17 foundation: written by the bans work.)
 */
export async function announceBan(bus: Bus, ban: BanRecord): Promise<void> {
  void bus;
  void ban;
}
