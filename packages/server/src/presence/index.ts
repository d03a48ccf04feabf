import { createMemoryPresence } from './memory.js';
import type { PresenceStore } from './presence-store.js';
import { createRedisPresence } from './redis.js';

export type { PresenceStore } from './presence-store.js';
export { PRESENCE_REFRESH_MS, PRESENCE_TTL_MS } from './presence-store.js';
export { channelPresenceKey, userPresenceKey } from './presence-keys.js';
export { createMemoryPresence } from './memory.js';
export { createRedisPresence } from './redis.js';

/** Redis when `redisUrl` is set (presence shared by every process), else this process's own. */
export function openPresence(redisUrl: string | undefined): PresenceStore {
  return redisUrl ? createRedisPresence(redisUrl) : createMemoryPresence();
}
