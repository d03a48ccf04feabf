import { type OutboxEntry, type OutboxStorage, withoutFileData } from './storage.js';

/**
 * An async key-value store with React Native AsyncStorage's shape (react-native-encrypted-storage has it
 * too; expo-secure-store fits once its `getItemAsync`, `setItemAsync`, `deleteItemAsync` are named so).
 */
export interface AsyncKeyValueStore {
  /** The value of `key`, or null. */
  getItem(key: string): Promise<string | null>;
  /** Stores `value` under `key`. */
  setItem(key: string, value: string): Promise<void>;
  /** Forgets `key`. */
  removeItem(key: string): Promise<void>;
  /** Optional (AsyncStorage has it): many keys in one trip to the native side. */
  multiGet?(keys: readonly string[]): Promise<ReadonlyArray<readonly [string, string | null]>>;
  /** Optional (AsyncStorage has it): removes many keys in one trip. */
  multiRemove?(keys: readonly string[]): Promise<void>;
}

/** Options of `keyValueStorage`. */
export interface KeyValueStorageOptions {
  /** Starts every key the outbox writes; default `chatsdk.outbox.`. */
  prefix?: string;
}

/**
 * Keys of letters, digits, `-`, `_` and `.` only (expo-secure-store refuses any other character): every
 * other UTF-16 unit becomes `_` and four hex digits, so two scopes never share a key and none holds a `.`.
 */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9-]/g, (char) => `_${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseIds(text: string | null): string[] {
  try {
    const ids: unknown = text ? JSON.parse(text) : [];
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function parseEntry(text: string | null): OutboxEntry[] {
  try {
    const entry = (text ? JSON.parse(text) : null) as Partial<OutboxEntry> | null;
    return entry && typeof entry.id === 'string' && typeof entry.order === 'number' && typeof entry.op === 'object' ? [entry as OutboxEntry] : [];
  } catch {
    return [];
  }
}

/** Work on one backing store runs one piece at a time, across every adapter and client over it: the index is read, then rewritten. */
const queues = new WeakMap<AsyncKeyValueStore, Promise<unknown>>();

function serial<T>(store: AsyncKeyValueStore, work: () => Promise<T>): Promise<T> {
  const next = (queues.get(store) ?? Promise.resolve()).then(work, work);
  queues.set(store, next.catch(() => undefined));
  return next;
}

/**
 * Outbox storage over an async key-value store, such as React Native's AsyncStorage:
 * `storage: keyValueStorage(AsyncStorage)`. Each entry is a value of its own (a long queue never makes one
 * huge value) and each scope (server and user) keeps an index of its entries' ids.
 */
export function keyValueStorage(store: AsyncKeyValueStore, options: KeyValueStorageOptions = {}): OutboxStorage {
  const prefix = options.prefix ?? 'chatsdk.outbox.';
  const indexKey = (scope: string) => prefix + safe(scope);
  const entryKey = (scope: string, id: string) => `${indexKey(scope)}.${safe(id)}`;
  const readIndex = async (scope: string) => parseIds(await store.getItem(indexKey(scope)));
  const writeIndex = (scope: string, ids: string[]) => (ids.length > 0 ? store.setItem(indexKey(scope), JSON.stringify(ids)) : store.removeItem(indexKey(scope)));
  return {
    load: (scope) =>
      serial(store, async () => {
        const keys = (await readIndex(scope)).map((id) => entryKey(scope, id));
        const values = store.multiGet ? (await store.multiGet(keys)).map(([, value]) => value) : await Promise.all(keys.map((key) => store.getItem(key)));
        return values.flatMap(parseEntry);
      }),
    put: (scope, entry) =>
      serial(store, async () => {
        const ids = await readIndex(scope);
        // A Blob cannot be a string: a file keeps its description and its `uri` (React Native's), not its bytes.
        // The index first: an app killed between the two writes leaves an id without a value (load skips it), never a value no index names.
        if (!ids.includes(entry.id)) await writeIndex(scope, [...ids, entry.id]);
        await store.setItem(entryKey(scope, entry.id), JSON.stringify(withoutFileData(entry)));
      }),
    remove: (scope, id) =>
      serial(store, async () => {
        await store.removeItem(entryKey(scope, id));
        const ids = await readIndex(scope);
        if (ids.includes(id)) await writeIndex(scope, ids.filter((other) => other !== id));
      }),
    clear: (scope) =>
      serial(store, async () => {
        const keys = [...(await readIndex(scope)).map((id) => entryKey(scope, id)), indexKey(scope)];
        if (store.multiRemove) await store.multiRemove(keys);
        else for (const key of keys) await store.removeItem(key);
      }),
  };
}
