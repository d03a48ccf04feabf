import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids, drawn from a pool the CSPRNG refills 8 KiB at a
 * time: one system call per several hundred ids instead of one per id, which
 * showed as 6% of a send's CPU (every send and every request takes one).
 * Secrets (API keys, signing keys) do not come from here.
 */
const pool = Buffer.allocUnsafe(8192);
let used = pool.length;

function randomSlice(bytes: number): Buffer {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const slice = pool.subarray(used, used + bytes);
  used += bytes;
  return slice;
}

/** `bytes` random bytes as URL-safe base64. */
export function randomToken(bytes: number): string {
  return randomSlice(bytes).toString('base64url');
}

/** A random id with a readable prefix, e.g. `app_9sK2…`: 96 bits, URL-safe. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomToken(12)}`;
}

/** Milliseconds to the ISO-8601 form used on the wire. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
