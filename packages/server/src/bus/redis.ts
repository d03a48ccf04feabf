import { Redis } from 'ioredis';
import type { Bus, BusHandler } from './bus.js';

/**
 * Redis pub/sub. A connection in subscriber mode can do nothing else, so
 * publishing and subscribing use one connection each.
 */
export function createRedisBus(url: string, prefix = 'chatsdk:'): Bus {
  const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, options);
  // ioredis reconnects by itself; without listeners a lost connection would be an unhandled 'error' event.
  publisher.on('error', () => {});
  subscriber.on('error', () => {});
  const topics = new Map<string, Set<BusHandler>>();
  subscriber.on('message', (channel: string, message: string) => {
    for (const handler of topics.get(channel.slice(prefix.length)) ?? []) handler(message);
  });

  return {
    kind: 'redis',
    async publish(topic, message) {
      await publisher.publish(prefix + topic, message);
    },
    async subscribe(topic, handler) {
      let handlers = topics.get(topic);
      if (!handlers) {
        topics.set(topic, (handlers = new Set()));
        await subscriber.subscribe(prefix + topic);
      }
      handlers.add(handler);
      return async () => {
        handlers.delete(handler);
        if (handlers.size === 0 && topics.get(topic) === handlers) {
          topics.delete(topic);
          await subscriber.unsubscribe(prefix + topic);
        }
      };
    },
    async ping() {
      await publisher.ping();
    },
    async close() {
      topics.clear();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
