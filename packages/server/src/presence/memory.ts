import type { PresenceStore } from './presence-store.js';

/** Presence for one process: entries live until removed, and the process's end ends them all. */
export function createMemoryPresence(): PresenceStore {
  const sets = new Map<string, Map<string, string>>();
  return {
    kind: 'memory',
    async add(key, field, info) {
      let set = sets.get(key);
      if (!set) sets.set(key, (set = new Map()));
      const others = set.size - (set.has(field) ? 1 : 0);
      set.set(field, info);
      return others;
    },
    async remove(key, field) {
      const set = sets.get(key);
      if (!set) return 0;
      set.delete(field);
      if (set.size === 0) sets.delete(key);
      return set.size;
    },
    async list(key) {
      return new Map(sets.get(key));
    },
    async nonEmpty(keys) {
      return keys.map((key) => (sets.get(key)?.size ?? 0) > 0);
    },
    async refresh() {},
    async close() {
      sets.clear();
    },
  };
}
