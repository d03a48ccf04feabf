import type { Bus } from './bus.js';
import { createMemoryBus } from './memory.js';
import { createRedisBus } from './redis.js';

export type { Bus, BusHandler } from './bus.js';
export { createMemoryBus } from './memory.js';
export { createRedisBus } from './redis.js';

/** Redis when `redisUrl` is set (several processes), else the in-process bus. */
export function openBus(redisUrl: string | undefined): Bus {
  return redisUrl ? createRedisBus(redisUrl) : createMemoryBus();
}
