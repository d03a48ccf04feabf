/** A random id usable as a client-chosen message id (letters, digits and `-`). */
export function newId(): string {
  const crypto = globalThis.crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * base64url (or base64) to text, read as UTF-8. By hand: `atob` is missing on React Native before 0.74 and
 * `TextDecoder` on Hermes. Throws on a character outside the alphabet or bytes that are not UTF-8.
 */
export function decodeBase64Url(input: string): string {
  let bits = 0;
  let buffer = 0;
  let escaped = '';
  for (const char of input.replace(/=+$/, '')) {
    const digit = BASE64URL.indexOf(char === '+' ? '-' : char === '/' ? '_' : char);
    if (digit < 0) throw new SyntaxError('not base64');
    buffer = (buffer << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      escaped += `%${((buffer >> bits) & 0xff).toString(16).padStart(2, '0')}`;
      buffer &= (1 << bits) - 1;
    }
  }
  return decodeURIComponent(escaped);
}

/** The claims of a JWT read without verifying it (the server verifies); undefined for an opaque token. */
export function readClaims(token: string): { sub?: string; exp?: number } | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(part));
    return claims && typeof claims === 'object' ? (claims as { sub?: string; exp?: number }) : undefined;
  } catch {
    return undefined;
  }
}

/** A timer that does not keep a Node process alive. */
export function backgroundTimer(run: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(run, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** Exponential backoff with jitter: 250 ms, 500 ms, … up to `max`. */
export function backoff(attempt: number, max = 5000): number {
  const base = Math.min(max, 250 * 2 ** Math.min(attempt, 10));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/** Whether this runs in a browser page (not Node, a worker or React Native). Read at call time, never at import. */
export function inBrowserPage(): boolean {
  const g = globalThis as { window?: unknown; document?: unknown };
  return typeof g.window === 'object' && g.window !== null && typeof g.document === 'object' && g.document !== null;
}
