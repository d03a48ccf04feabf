import { type Migration, Migrator } from 'kysely';
import { foundation } from './migrations/0001-foundation.js';
import type { Store } from './store.js';

/** Every migration, in order. Names sort lexically; never rename or edit a shipped one. */
function migrations(store: Store): Record<string, Migration> {
  return {
    '0001-foundation': foundation(store.kind),
  };
}

/** Brings the store's schema up to date; returns the names of the migrations it ran. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations(store) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
