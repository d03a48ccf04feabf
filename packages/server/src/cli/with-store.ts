import { loadConfig } from '../config.js';
import { migrateToLatest, openStore, type Store } from '../store/index.js';

/** Runs `work` against the configured store, migrated, and closes it whatever happens. */
export async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(loadConfig());
  try {
    await migrateToLatest(store);
    return await work(store);
  } finally {
    await store.close();
  }
}
