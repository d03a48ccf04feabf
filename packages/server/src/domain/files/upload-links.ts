import { createHmac, timingSafeEqual } from 'node:crypto';
import { LIMITS } from '@chatsdk/protocol';
import type { SecretBox } from '../../store/secret-box.js';
import type { Store } from '../../store/store.js';
import { linkKeyOf } from '../auth/link-keys.js';

/** The original file, or its thumbnail. */
export type FileVariant = 'original' | 'thumbnail';

/**
 * Expiries are rounded up to the hour, so the link to a file stays the same
 * for an hour: a browser that shows a message again (a re-render, a reload)
 * hits its cache instead of fetching again. A link is valid for 24 to 25 h.
 */
const EXPIRY_STEP_SECONDS = 3600;

/** The public origin of each server, by its store's secret box (one per opened store). */
const bases = new WeakMap<SecretBox, string>();

/**
 * Says where the server over `store` is reached, for the links it builds.
 * Keyed by the store, not set once per process: tests run several servers
 * over different stores in one process, and each app's links must name the
 * server that holds its files.
 */
export function bindLinkBase(store: Store, baseUrl: string): void {
  bases.set(store.secrets, baseUrl.replace(/\/+$/, ''));
}

/** When a link built at `now` (ms) expires, in seconds since the epoch. */
export function linkExpiry(now: number): number {
  return Math.ceil((Math.floor(now / 1000) + LIMITS.uploadLinkSeconds) / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS;
}

/** The signature of one link: HMAC-SHA256 over what it opens and until when, 128 bits of it. */
export function linkSignature(key: Buffer, appId: string, uploadId: string, variant: FileVariant, exp: number): string {
  return createHmac('sha256', key).update(`${appId}\n${uploadId}\n${variant}\n${exp}`).digest().subarray(0, 16).toString('base64url');
}

/** The path a file link points at, without its query. */
export function filePath(appId: string, uploadId: string, variant: FileVariant): string {
  return `/files/${appId}/${uploadId}${variant === 'thumbnail' ? '/thumbnail' : ''}`;
}

/**
 * A signed link to a file, built at `now`: undefined when this process has
 * not read the app (so has no key) or its server has no public origin yet.
 * Links are built each time a message or upload is put on the wire, and
 * never stored: an answer always carries a link valid for a day.
 */
export function fileUrl(appId: string, uploadId: string, variant: FileVariant, now = Date.now()): string | undefined {
  const found = linkKeyOf(appId);
  const base = found ? bases.get(found.box) : undefined;
  if (!found || base === undefined) return undefined;
  const exp = linkExpiry(now);
  return `${base}${filePath(appId, uploadId, variant)}?exp=${exp}&sig=${linkSignature(found.key, appId, uploadId, variant, exp)}`;
}

/** Whether a link's signature is the server's and its expiry still ahead. */
export function checkLink(
  key: Buffer,
  link: { appId: string; uploadId: string; variant: FileVariant; exp: number; sig: string },
  now: number,
): 'valid' | 'forged' | 'expired' {
  const expected = Buffer.from(linkSignature(key, link.appId, link.uploadId, link.variant, link.exp));
  const given = Buffer.from(link.sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  return link.exp * 1000 <= now ? 'expired' : 'valid';
}
