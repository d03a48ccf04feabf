import type { Bus, BusHandler } from './bus.js';

/** The bus of a single process: a map from topic to handlers. */
export function createMemoryBus(): Bus {
  const topics = new Map<string, Set<BusHandler>>();
  return {
    kind: 'memory',
    async publish(topic, message) {
      for (const handler of topics.get(topic) ?? []) handler(message);
    },
    async subscribe(topic, handler) {
      let handlers = topics.get(topic);
      if (!handlers) topics.set(topic, (handlers = new Set()));
      handlers.add(handler);
      return async () => {
        handlers.delete(handler);
        if (handlers.size === 0) topics.delete(topic);
      };
    },
    async ping() {},
    async close() {
      topics.clear();
    },
  };
}
