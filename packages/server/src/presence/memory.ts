import type { PresenceStore } from './presence-store.js';

/** Presence for one process: entries live until removed, and the process's end ends them all. */
export function createMemoryPresence(): PresenceStore {
  const sets = new Map<string, Map<string, string>>();
  const add = (key: string, field: string, info: string): number => {
    let set = sets.get(key);
    if (!set) sets.set(key, (set = new Map()));
    const others = set.size - (set.has(field) ? 1 : 0);
    set.set(field, info);
    return others;
  };
  const remove = (key: string, field: string): number => {
    const set = sets.get(key);
    if (!set) return 0;
    set.delete(field);
    if (set.size === 0) sets.delete(key);
    return set.size;
  };
  return {
    kind: 'memory',
    add: async (key, field, info) => add(key, field, info),
    remove: async (key, field) => remove(key, field),
    put: async (key, field, info) => void add(key, field, info),
    drop: async (key, field) => void remove(key, field),
    list: async (key) => new Map(sets.get(key)),
    nonEmpty: async (keys) => keys.map((key) => (sets.get(key)?.size ?? 0) > 0),
    refresh: async () => {},
    close: async () => sets.clear(),
  };
}
