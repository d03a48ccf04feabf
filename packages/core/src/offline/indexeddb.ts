import type { OutboxEntry, OutboxStorage } from './storage.js';

const STORE = 'outbox';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

/**
 * Outbox storage in IndexedDB (browsers): entries survive a reload or a
 * closed tab. Keyed by `[scope, id]`, so each user's entries are apart.
 */
export function indexedDbStorage(options: { name?: string; factory?: IDBFactory } = {}): OutboxStorage {
  let opened: Promise<IDBDatabase> | undefined;
  const db = () => {
    opened ??= (async () => {
      const factory = options.factory ?? globalThis.indexedDB;
      const request = factory.open(options.name ?? 'chatsdk', 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: ['scope', 'id'] });
        store.createIndex('scope', 'scope');
      };
      return done(request);
    })();
    return opened;
  };
  const write = async (work: (store: IDBObjectStore) => void) => {
    const transaction = (await db()).transaction(STORE, 'readwrite');
    work(transaction.objectStore(STORE));
    await committed(transaction);
  };
  return {
    async load(scope) {
      const store = (await db()).transaction(STORE, 'readonly').objectStore(STORE);
      const rows = (await done(store.index('scope').getAll(scope))) as Array<OutboxEntry & { scope: string }>;
      return rows.map(({ scope: _scope, ...entry }) => entry);
    },
    put: (scope, entry) => write((store) => store.put({ ...entry, scope })),
    remove: (scope, id) => write((store) => store.delete([scope, id])),
    clear: (scope) =>
      write((store) => {
        const cursor = store.index('scope').openKeyCursor(scope);
        cursor.onsuccess = () => {
          const found = cursor.result;
          if (!found) return;
          store.delete(found.primaryKey);
          found.continue();
        };
      }),
  };
}
