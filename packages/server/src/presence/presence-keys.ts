/**
 * The names of the presence sets, shared by the gateway that writes them and
 * the REST routes that read them.
 */

/** The presence set of a user: one entry per process holding a connection of theirs. */
export function userPresenceKey(appId: string, userId: string): string {
  return `u:${appId}:${userId}`;
}

/** The presence set of a channel: one entry per client subscribed to it, the user as its info. */
export function channelPresenceKey(appId: string, channelId: string): string {
  return `c:${appId}:${channelId}`;
}
