import { createHmac } from 'node:crypto';
import type { SecretBox } from '../../store/secret-box.js';

/** One app's key for file links, and what it was derived from. */
interface LinkKey {
  secret: string;
  key: Buffer;
  /** The secret box of the store the app was read from: which server's links these are (see upload-links.ts). */
  box: SecretBox;
}

/**
 * Keys that sign file links, by app id. Each is derived from the app's token
 * signing secret (HMAC with a fixed label), so every process of a deployment
 * computes the same key with nothing more to store, seal or rotate, and a
 * link cannot be turned into a token or back. They are remembered here as
 * apps are read (every request and connection reads its app), because links
 * are built where a message is put on the wire, which knows only an app id.
 */
const keys = new Map<string, LinkKey>();

/** Remembers the link key of an app just read; a no-op for one already known with this secret. */
export function rememberLinkKey(appId: string, jwtSecret: string, box: SecretBox): void {
  const known = keys.get(appId);
  if (known && known.secret === jwtSecret && known.box === box) return;
  keys.set(appId, { secret: jwtSecret, key: createHmac('sha256', jwtSecret).update('chatsdk file links v1').digest(), box });
}

/** The key that signs the app's file links, with the store it came from; undefined for an app this process has not read. */
export function linkKeyOf(appId: string): { key: Buffer; box: SecretBox } | undefined {
  return keys.get(appId);
}
