import { loadConfig } from '../config.js';
import { migrateToLatest, openStore } from '../store/index.js';

/** `chatsdk migrate`: brings the configured store's schema up to date and says what it ran. */
export async function migrate(): Promise<void> {
  const store = openStore(loadConfig());
  try {
    const ran = await migrateToLatest(store);
    process.stdout.write(ran.length ? `Ran ${ran.join(', ')} on ${store.description}.\n` : `${store.description} is up to date.\n`);
  } finally {
    await store.close();
  }
}
