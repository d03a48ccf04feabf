import type { Kysely } from 'kysely';

/**
 * The link preview cache: one row per fetched URL, kept by the SHA-256 of
 * the URL rather than the URL itself (a link's query string may hold a token,
 * and the cache outlives the message that held it), with the preview as JSON
 * (null: the page had nothing to show) until it expires.
 */
export const linkPreviews = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('link_previews')
      .addColumn('url_hash', 'text', (c) => c.primaryKey())
      .addColumn('preview', 'text')
      .addColumn('fetched_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('link_previews_expiry').on('link_previews').column('expires_at').execute();
  },
};
