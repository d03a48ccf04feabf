import { ApiError } from '../../errors.js';
import { Hs256Key } from './hs256.js';

/** Each token kind carries its own audience, so one can never stand in for the other. */
export const AUDIENCE = { rest: 'chatsdk:rest', ws: 'chatsdk:ws' } as const;
/** `rest` for the REST `token`, `ws` for the realtime `wsToken`. */
export type TokenKind = keyof typeof AUDIENCE;

/** What a verified token says. */
export interface VerifiedToken {
  appId: string;
  userId: string;
  /** When it was issued, in ms: compared with the user's revocation instant. */
  issuedAt: number;
  /** `issuedAt` is exact to the millisecond (`ims`); else it is `iat`'s whole second. */
  issuedAtExact: boolean;
  expiresAt: number;
}

/** How far ahead of this server's clock a token's `iat`, `ims` or `nbf` may be: the issuer's clock may run a little fast. */
export const CLOCK_SKEW_SECONDS = 60;

interface Claims {
  sub: string;
  app: string;
  aud: string;
  iat: number;
  exp: number;
  /** Not before (RFC 7519 4.1.5); ChatSDK does not set it, but honours it. */
  nbf?: number;
  /** Issue time in ms. `iat` has whole seconds only, too coarse to tell a token issued just after a revocation from one just before. */
  ims?: number;
}

/** What a token whose signature does not hold is told, whether or not its app exists. */
const INVALID_SIGNATURE = 'token signature or claims are invalid';

/** Reads the app claim without verifying, to choose the key to verify with. */
function peekClaims(token: string): Partial<Claims> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    return payload && typeof payload === 'object' ? (payload as Partial<Claims>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signs and verifies ChatSDK tokens: HS256 with each app's own secret. An
 * app's key is built once and kept, since preparing a key per call costs far
 * more than the HMAC itself.
 */
export class TokenService {
  private readonly keys = new Map<string, Hs256Key>();

  /** `loadSecret` finds an app's signing secret; secrets never change, so the answer is cached. */
  constructor(private readonly loadSecret: (appId: string) => Promise<string | undefined>) {}

  private keyFor(appId: string, secret: string): Hs256Key {
    let key = this.keys.get(appId);
    if (!key) {
      key = new Hs256Key(secret);
      this.keys.set(appId, key);
    }
    return key;
  }

  /** Issues the pair of tokens for a user, valid for `ttlSeconds` from `now`. */
  issue(app: { id: string; jwtSecret: string }, userId: string, ttlSeconds: number, now = Date.now()) {
    const key = this.keyFor(app.id, app.jwtSecret);
    const exp = Math.floor(now / 1000) + ttlSeconds;
    const base = { sub: userId, app: app.id, iat: Math.floor(now / 1000), exp, ims: now };
    return {
      token: key.sign({ ...base, aud: AUDIENCE.rest }),
      wsToken: key.sign({ ...base, aud: AUDIENCE.ws }),
      expiresAt: exp * 1000,
    };
  }

  /** Verifies a token of the given kind, or throws the `ApiError` that says why not. */
  async verify(token: string, kind: TokenKind): Promise<VerifiedToken> {
    const peeked = peekClaims(token);
    if (!peeked || typeof peeked.app !== 'string') throw new ApiError('invalid_token', 'token is malformed');
    if (peeked.aud !== AUDIENCE[kind]) {
      const other = kind === 'rest' ? AUDIENCE.ws : AUDIENCE.rest;
      if (peeked.aud === other) {
        throw new ApiError(
          'wrong_token_kind',
          kind === 'rest' ? 'this is a wsToken; REST calls take the token' : 'this is a REST token; the WebSocket takes the wsToken',
        );
      }
      throw new ApiError('invalid_token', 'token has no ChatSDK audience');
    }
    let key = this.keys.get(peeked.app);
    if (!key) {
      const secret = await this.loadSecret(peeked.app);
      // The same answer as a bad signature: a caller must not learn which app ids exist.
      if (!secret) throw new ApiError('invalid_token', INVALID_SIGNATURE);
      key = this.keyFor(peeked.app, secret);
    }
    // The claims were read to choose the key; once the signature holds they are the signed ones.
    if (!key.signs(token)) throw new ApiError('invalid_token', INVALID_SIGNATURE);
    const claims = peeked;
    if (
      typeof claims.sub !== 'string' ||
      claims.app !== peeked.app ||
      claims.aud !== AUDIENCE[kind] ||
      typeof claims.iat !== 'number' ||
      typeof claims.exp !== 'number'
    ) {
      throw new ApiError('invalid_token', 'token claims are invalid');
    }
    const now = Date.now();
    if (claims.exp * 1000 <= now) throw new ApiError('token_expired', 'token has expired');
    // A token from the future was not issued by a server with a sane clock, or was issued to be used later.
    const latest = now + CLOCK_SKEW_SECONDS * 1000;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf * 1000 > latest)) {
      throw new ApiError('invalid_token', 'token is not valid yet (nbf)');
    }
    if (claims.iat * 1000 > latest || (claims.ims !== undefined && (typeof claims.ims !== 'number' || claims.ims > latest))) {
      throw new ApiError('invalid_token', 'token is issued in the future');
    }
    return {
      appId: claims.app,
      userId: claims.sub,
      issuedAt: typeof claims.ims === 'number' ? claims.ims : claims.iat * 1000,
      issuedAtExact: typeof claims.ims === 'number',
      expiresAt: claims.exp * 1000,
    };
  }
}
