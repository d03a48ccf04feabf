/**
 * How many connected sessions each user holds on this process. A user at the
 * app's `maxConnectionsPerUser` gets no more (disconnect 3504): a leaking
 * client or a script opening sockets in a loop cannot take the process's
 * descriptors and memory. Counted per process: behind a load balancer a user
 * may hold up to the limit on each process.
 */
export class UserSessions {
  private readonly counts = new Map<string, number>();

  private static key(appId: string, userId: string): string {
    return `${appId}\u0000${userId}`;
  }

  /** The user's connected sessions here. */
  count(appId: string, userId: string): number {
    return this.counts.get(UserSessions.key(appId, userId)) ?? 0;
  }

  /** Takes one more session for the user if fewer than `limit` are held; answers whether it did. */
  take(appId: string, userId: string, limit: number): boolean {
    const key = UserSessions.key(appId, userId);
    const held = this.counts.get(key) ?? 0;
    if (held >= limit) return false;
    this.counts.set(key, held + 1);
    return true;
  }

  /** Gives back a session taken with `take`. */
  release(appId: string, userId: string): void {
    const key = UserSessions.key(appId, userId);
    const held = (this.counts.get(key) ?? 0) - 1;
    if (held > 0) this.counts.set(key, held);
    else this.counts.delete(key);
  }
}
