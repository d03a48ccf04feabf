import { type Migration, Migrator, sql } from 'kysely';
import { foundation } from './migrations/0001-foundation.js';
import { messaging } from './migrations/0002-messaging.js';
import { blockLookup } from './migrations/0003-block-lookup.js';
import { lastActive } from './migrations/0004-last-active.js';
import { memberChannels } from './migrations/0005-member-channels.js';
import { messageSearch } from './migrations/0006-message-search.js';
import { partialIndexes } from './migrations/0007-partial-indexes.js';
import { connectionLimit } from './migrations/0008-connection-limit.js';
import { uploads } from './migrations/0009-uploads.js';
import { linkPreviews } from './migrations/0010-link-previews.js';
import { webhooks } from './migrations/0011-webhooks.js';
import { beforeSendHook } from './migrations/0012-before-send-hook.js';
import { moderation } from './migrations/0013-moderation.js';
import { auditFilters } from './migrations/0014-audit-filters.js';
import { sealStoredSecrets } from './seal-secrets.js';
import type { Store } from './store.js';

/** Every migration, in order. Names sort lexically; never rename or edit a shipped one. */
function migrations(store: Store): Record<string, Migration> {
  return {
    '0001-foundation': foundation(store.kind),
    '0002-messaging': messaging(store.kind),
    '0003-block-lookup': blockLookup,
    '0004-last-active': lastActive,
    '0005-member-channels': memberChannels,
    '0006-message-search': messageSearch(store.kind),
    '0007-partial-indexes': partialIndexes,
    '0008-connection-limit': connectionLimit,
    '0009-uploads': uploads,
    '0010-link-previews': linkPreviews,
    '0011-webhooks': webhooks(store.kind),
    '0012-before-send-hook': beforeSendHook,
    '0013-moderation': moderation,
    '0014-audit-filters': auditFilters,
  };
}

async function currentSchema(store: Store): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('the PostgreSQL search_path names no existing schema');
  return schema;
}

/** Brings the store's schema up to date; returns the names of the migrations it ran. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations(store) },
    // Kysely looks for its bookkeeping tables in every schema unless told which one: with several
    // schemas in one database (tests, tenants) it would find another schema's and skip creating its own.
    ...(store.kind === 'postgres' ? { migrationTableSchema: await currentSchema(store) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  const ran = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (ran.length > 0 && store.kind === 'postgres') await analyzeSchema(store);
  await sealStoredSecrets(store);
  return ran;
}

/**
 * Gives PostgreSQL's planner statistics for every table of the schema after
 * migrations created or reshaped them. Without any (autovacuum off, or not
 * yet run) it guesses, and has been seen reading a whole channel to answer
 * one page. SQLite plans well without statistics and is left to them.
 */
async function analyzeSchema(store: Store): Promise<void> {
  const schema = await currentSchema(store);
  const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${schema}`.execute(store.db);
  for (const { name } of rows) await sql`analyze ${sql.id(schema, name)}`.execute(store.db);
}
