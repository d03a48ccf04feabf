import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { readJson } from '../common/json-columns.js';
import type { LinkPreview } from './page-preview.js';

/** How long a page's preview is kept: a popular link is fetched once a day, not once per message. */
export const PREVIEW_TTL_MS = 24 * 60 * 60 * 1000;

/** How long a failure that may pass (a timeout, a 5xx, a broken connection) is kept before the page is tried again. */
export const RETRY_TTL_MS = 60 * 60 * 1000;

/** The cache's key for a URL: its SHA-256, so the table holds no link (and no token in a query string). */
export function urlHash(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

/** A cached answer: the preview, or null when the page had none; undefined from `readCached` when nothing fresh is cached. */
export interface CachedPreview {
  preview: LinkPreview | null;
}

/** The fresh cached preview of a URL, if any. */
export async function readCached(db: Kysely<Database>, url: string, now = Date.now()): Promise<CachedPreview | undefined> {
  const row = await db
    .selectFrom('link_previews')
    .select(['preview', 'expires_at'])
    .where('url_hash', '=', urlHash(url))
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  return { preview: row.preview === null ? null : readJson<LinkPreview>(row.preview) };
}

/** Stores a URL's preview (or its absence) for `ttlMs`, replacing what was there. */
export async function writeCached(db: Kysely<Database>, url: string, preview: LinkPreview | null, ttlMs: number, now = Date.now()): Promise<void> {
  const values = { preview: preview === null ? null : JSON.stringify(preview), fetched_at: now, expires_at: now + ttlMs };
  await db
    .insertInto('link_previews')
    .values({ url_hash: urlHash(url), ...values })
    .onConflict((oc) => oc.column('url_hash').doUpdateSet(values))
    .execute();
}

/** Removes expired entries; returns how many. */
export async function pruneCache(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const result = await db.deleteFrom('link_previews').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
