import type { Store, StoreKind } from '../../src/store/store.js';
import { createApp } from '../../src/domain/auth/apps.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createTestStorage } from './stores.js';

/** A migrated store of its own with one app in it, for tests that work below the HTTP API (the outbox's). */
export async function openStoreWithApp(kind: StoreKind, appName: string): Promise<{ store: Store; appId: string; openAnother: () => Store; close: () => Promise<void> }> {
  const storage = await createTestStorage(kind);
  const store = storage.open();
  await migrateToLatest(store);
  const appId = (await createApp(store, { name: appName })).id;
  return {
    store,
    appId,
    // Another connection (pool) to the same database: racing claims from separate processes.
    openAnother: () => storage.open(),
    async close() {
      await store.close();
      await storage.destroy();
    },
  };
}
