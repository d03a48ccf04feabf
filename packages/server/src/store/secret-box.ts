import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Marks a sealed value; anything without it was stored before a key was set. */
const SEALED = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Opened values kept so that a secret read on every request is decrypted once. */
const MAX_CACHED = 10_000;

/**
 * The one place where secrets are sealed before they are stored (apps' JWT
 * secrets now; webhook secrets and push credentials after): AES-256-GCM under
 * `CHATSDK_SECRET_KEY` when it is set, bound to what the secret belongs to so
 * that a sealed value copied to another row does not open there. Without a
 * key, values are stored as they are. A copy of the database (a backup, a
 * replica, a leaked dump) then holds no secret that could sign a token.
 */
export class SecretBox {
  private readonly opened = new Map<string, string>();

  private constructor(private readonly key: Buffer | undefined) {}

  /** A box that seals nothing: no key is configured. */
  static plain(): SecretBox {
    return new SecretBox(undefined);
  }

  /**
   * A box for `CHATSDK_SECRET_KEY`: 32 bytes, written as 64 hexadecimal
   * characters or in base64 (`openssl rand -base64 32`). Throws on anything else.
   */
  static fromKey(text: string): SecretBox {
    const trimmed = text.trim();
    const hex = /^[0-9a-fA-F]{64}$/.test(trimmed);
    // 43 base64 characters (and an optional pad) are exactly 32 bytes; Node's base64 also reads the URL alphabet.
    if (!hex && !/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
      throw new Error('CHATSDK_SECRET_KEY must be 32 bytes: 64 hex characters, or base64 (openssl rand -base64 32)');
    }
    return new SecretBox(Buffer.from(trimmed, hex ? 'hex' : 'base64'));
  }

  /** Whether values are sealed. */
  get sealing(): boolean {
    return this.key !== undefined;
  }

  /** Whether `stored` is a sealed value (whatever key sealed it). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(SEALED);
  }

  /** The value to store for `secret`, which belongs to `owner` (say `apps.jwt_secret:app_…`). */
  seal(secret: string, owner: string): string {
    if (!this.key) return secret;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(owner));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return SEALED + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * The secret a stored value holds. A value stored before the key was set
   * is returned as it is; a sealed one that this box cannot open (no key, the
   * wrong key, another owner, tampered) throws.
   */
  open(stored: string, owner: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    const cacheKey = `${owner}\u0000${stored}`;
    const known = this.opened.get(cacheKey);
    if (known !== undefined) return known;
    if (!this.key) throw new Error('a stored secret is sealed, and CHATSDK_SECRET_KEY is not set');
    const raw = Buffer.from(stored.slice(SEALED.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(owner));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    let secret: string;
    try {
      secret = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('a stored secret does not open with CHATSDK_SECRET_KEY (another key sealed it, or it was altered)');
    }
    if (this.opened.size >= MAX_CACHED) this.opened.clear();
    this.opened.set(cacheKey, secret);
    return secret;
  }
}

/** What an app's JWT secret is bound to when sealed. */
export function appSecretOwner(appId: string): string {
  return `apps.jwt_secret:${appId}`;
}
