import { findUserWithApp, tokenRefusal, type UserCaller } from '../domain/auth/caller.js';
import { ApiError } from '../errors.js';
import type { ServerContext } from '../http/context.js';
import { type Disconnect, DISCONNECTS, REPLY_ERRORS, type ReplyError } from './protocol.js';

/** Who a verified wsToken speaks for, and when the token runs out (ms since the epoch). */
export interface Authenticated {
  caller: UserCaller;
  expiresAt: number;
}

/**
 * Verifies a wsToken for `connect` or `refresh`: the caller, or a refusal the
 * client understands (a disconnect that stops it, or error 109, which makes it
 * ask for a new token).
 */
export async function authenticate(ctx: ServerContext, token: string | undefined): Promise<Authenticated | Disconnect | ReplyError> {
  if (typeof token !== 'string' || token === '') return DISCONNECTS.invalidToken;
  try {
    const verified = await ctx.tokens.verify(token, 'ws');
    const found = await findUserWithApp(ctx.store, verified.appId, verified.userId);
    const refusal = found ? tokenRefusal(found.user, verified) : 'gone';
    if (!found || refusal === 'gone') return DISCONNECTS.invalidToken;
    // A revoked token (or one of an earlier user of the id) is answered like an expired one: the client
    // asks its backend for a new token, which the backend gives or refuses; it does not loop on the old one.
    if (refusal) return REPLY_ERRORS.tokenExpired;
    // An app-wide ban keeps the user out of the realtime side altogether; a shadow ban must not show.
    if (found.appBan && !found.appBan.shadow) return DISCONNECTS.banned;
    return { caller: { kind: 'user', app: found.app, user: found.user, appBan: found.appBan }, expiresAt: verified.expiresAt };
  } catch (error) {
    // An expired token is the one failure a fresh token fixes: the client asks its getToken and reconnects.
    if (error instanceof ApiError && error.code === 'token_expired') return REPLY_ERRORS.tokenExpired;
    if (error instanceof ApiError) return DISCONNECTS.invalidToken;
    throw error;
  }
}
