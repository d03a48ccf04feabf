import { randomBytes } from 'node:crypto';

/** A random id with a readable prefix, e.g. `app_9sK2…`: 96 bits, URL-safe. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/** Milliseconds to the ISO-8601 form used on the wire. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
