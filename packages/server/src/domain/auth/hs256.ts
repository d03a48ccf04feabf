import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/** The one header ChatSDK signs with; its JSON text is fixed, so it is encoded once. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * Whether `text` is the one canonical base64url encoding of some bytes: no
 * padding, no `+` or `/`, nothing outside the alphabet, and unused low bits
 * of the last character zero. Node's decoder forgives all of these, which
 * would let one token be written several ways.
 */
function isCanonicalBase64url(text: string): boolean {
  return Buffer.from(text, 'base64url').toString('base64url') === text;
}

/** The header of a token, when it names HS256 and nothing this verifier would have to understand. */
function acceptableHeader(encoded: string): boolean {
  if (encoded === HEADER) return true;
  if (!isCanonicalBase64url(encoded)) return false;
  try {
    const header: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString());
    return typeof header === 'object' && header !== null && (header as { alg?: unknown }).alg === 'HS256' && !('crit' in header);
  } catch {
    return false;
  }
}

/**
 * HS256 JSON Web Tokens (RFC 7519) under one secret, with the key object
 * built once. Signing and verifying are an HMAC over the first two parts and
 * a JSON parse: a general JWT library spends several times that on options
 * and claim checks, and verification runs on every REST request. The
 * algorithm is pinned: a token whose header names anything but HS256
 * (`none` included) never verifies.
 */
export class Hs256Key {
  private readonly key: KeyObject;

  /** A string `secret` is used as its UTF-8 bytes, as JWT libraries do. */
  constructor(secret: string | Buffer) {
    this.key = createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
  }

  private mac(signed: string): Buffer {
    return createHmac('sha256', this.key).update(signed).digest();
  }

  /** A signed token carrying `claims`. */
  sign(claims: object): string {
    const signed = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${signed}.${this.mac(signed).toString('base64url')}`;
  }

  /**
   * Whether `token` has the form, the header and the signature of a token
   * signed with this key. Says nothing of its claims.
   */
  signs(token: string): boolean {
    const first = token.indexOf('.');
    const last = token.lastIndexOf('.');
    if (first <= 0 || last === first || token.indexOf('.', first + 1) !== last) return false;
    if (!acceptableHeader(token.slice(0, first))) return false;
    if (!isCanonicalBase64url(token.slice(first + 1, last))) return false;
    // The signature's text is compared, not its decoded bytes: only the canonical encoding verifies.
    const signature = Buffer.from(token.slice(last + 1));
    const expected = Buffer.from(this.mac(token.slice(0, last)).toString('base64url'));
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }

  /**
   * The claims of a token signed with this key, or undefined when its form,
   * header or signature is wrong. Says nothing of expiry or audience: the
   * caller checks the claims it needs.
   */
  verify(token: string): Record<string, unknown> | undefined {
    if (!this.signs(token)) return undefined;
    try {
      const claims: unknown = JSON.parse(Buffer.from(token.slice(token.indexOf('.') + 1, token.lastIndexOf('.')), 'base64url').toString());
      return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
}
