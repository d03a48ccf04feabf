import type { Bus } from './bus.js';
import { LocalTopics } from './local-topics.js';

/** The bus of a single process: a map from topic to handlers. It is never away. */
export function createMemoryBus(): Bus {
  const local = new LocalTopics();
  return {
    kind: 'memory',
    async publish(topic, message) {
      local.deliver(topic, message);
    },
    async subscribe(topic, handler) {
      local.add(topic, handler);
      return async () => {
        local.remove(topic, handler);
      };
    },
    onRestored() {
      return () => {};
    },
    async ping() {},
    async close() {
      local.clear();
    },
  };
}
