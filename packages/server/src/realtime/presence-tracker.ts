import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { channelPresenceKey, PRESENCE_REFRESH_MS, type PresenceStore, userPresenceKey } from '../presence/index.js';
import type { Store } from '../store/store.js';

/** How long `lastActiveAt` writes wait to share a transaction. */
const LAST_ACTIVE_FLUSH_MS = 1000;

/** One client watching a channel, as the protocol's `presence` answers. */
export interface ChannelWatcher {
  client: string;
  user: string;
}

/**
 * This process's share of presence: which users it holds connections of and
 * which clients watch which channels, kept in the shared presence store and
 * renewed there on a timer, so that the entries of a process that dies lapse.
 */
export class PresenceTracker {
  /** Identifies this process's entries among every process's. */
  private readonly processId = randomUUID();
  private readonly users = new Set<string>();
  private readonly watchers = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  /** `lastActiveAt` values waiting for the next shared write, by app and user. */
  private readonly lastActive = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly presence: PresenceStore,
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
  ) {
    this.timer = setInterval(() => this.renew(), PRESENCE_REFRESH_MS);
    this.timer.unref();
  }

  /** This process now holds a connection of the user; answers whether the user was offline everywhere until now. */
  async userArrived(appId: string, userId: string, now: number): Promise<boolean> {
    const key = userPresenceKey(appId, userId);
    this.users.add(key);
    const others = await this.presence.add(key, this.processId, '');
    if (others > 0) return false;
    this.touch(appId, userId, now);
    return true;
  }

  /** This process holds no connection of the user any more; answers whether none is left anywhere. */
  async userLeft(appId: string, userId: string, now: number): Promise<boolean> {
    const key = userPresenceKey(appId, userId);
    this.users.delete(key);
    const remaining = await this.presence.remove(key, this.processId);
    if (remaining > 0) return false;
    this.touch(appId, userId, now);
    return true;
  }

  /** Which of the users have a connection on any process. */
  async online(appId: string, userIds: string[]): Promise<boolean[]> {
    return this.presence.nonEmpty(userIds.map((id) => userPresenceKey(appId, id)));
  }

  /** A client subscribed to a channel. */
  watch(appId: string, channelId: string, clientId: string, userId: string): void {
    const key = channelPresenceKey(appId, channelId);
    this.watchers.set(`${key}\n${clientId}`, userId);
    this.presence.put(key, clientId, userId).catch((error: unknown) => this.log.warn({ err: error }, 'presence: cannot add a watcher'));
  }

  /** A client left a channel. */
  unwatch(appId: string, channelId: string, clientId: string): void {
    const key = channelPresenceKey(appId, channelId);
    if (!this.watchers.delete(`${key}\n${clientId}`)) return;
    this.presence.drop(key, clientId).catch((error: unknown) => this.log.warn({ err: error }, 'presence: cannot remove a watcher'));
  }

  /** Every client watching the channel, on every process. */
  async watchersOf(appId: string, channelId: string): Promise<ChannelWatcher[]> {
    const entries = await this.presence.list(channelPresenceKey(appId, channelId));
    return [...entries].map(([client, user]) => ({ client, user }));
  }

  /**
   * Stops renewing and takes this process's entries out at once: its clients reconnect to other
   * processes, which add their own. Nobody is announced offline: most come back within the debounce.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.flushTimer);
    await this.flushLastActive();
    const removals = [...this.users].map((key) => this.presence.drop(key, this.processId));
    for (const id of this.watchers.keys()) {
      const [key = '', clientId = ''] = id.split('\n');
      removals.push(this.presence.drop(key, clientId));
    }
    this.users.clear();
    this.watchers.clear();
    await Promise.allSettled(removals);
  }

  /**
   * When the user was last seen, at their arrival and at their departure, shown as `lastActiveAt`. The
   * writes of a second share one transaction: a storm of reconnects after a deploy costs one commit a
   * second, not one synced commit per connection. A crash loses at most that second of a hint.
   */
  private touch(appId: string, userId: string, now: number): void {
    this.lastActive.set(`${appId}\n${userId}`, now);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flushLastActive(), LAST_ACTIVE_FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  private async flushLastActive(): Promise<void> {
    this.flushTimer = undefined;
    if (this.lastActive.size === 0) return;
    const batch = [...this.lastActive];
    this.lastActive.clear();
    try {
      await this.store.db.transaction().execute(async (trx) => {
        for (const [key, at] of batch) {
          const [appId = '', userId = ''] = key.split('\n');
          await trx.updateTable('users').set({ last_active_at: at }).where('app_id', '=', appId).where('id', '=', userId).execute();
        }
      });
    } catch (error) {
      this.log.warn({ err: error }, 'presence: cannot record last activity');
    }
  }

  private renew(): void {
    const entries: Array<readonly [string, string, string]> = [];
    for (const key of this.users) entries.push([key, this.processId, '']);
    for (const [id, userId] of this.watchers) {
      const [key = '', clientId = ''] = id.split('\n');
      entries.push([key, clientId, userId]);
    }
    this.presence.refresh(entries).catch((error: unknown) => this.log.warn({ err: error }, 'presence: cannot renew entries'));
  }
}
