import type { TokenPair } from '@chatsdk/core';
import { backend } from './backend.js';

/**
 * The user's ChatSDK tokens, kept in sessionStorage (this tab only, gone with
 * it) so that a reload reconnects at once without asking the backend again.
 * The backend's session cookie, which page scripts cannot read, is what
 * gets new ones.
 */
interface Kept extends TokenPair {
  userId: string;
  expiresAt: number;
}

const KEY = 'chatsdk-demo:tokens';

function read(userId: string): Kept | null {
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Kept | null;
    // A minute of margin: a token about to expire is not worth connecting with.
    return kept && kept.userId === userId && kept.expiresAt > Date.now() + 60_000 ? kept : null;
  } catch {
    return null;
  }
}

/** Fresh tokens from the backend, kept for the next reload. The client calls this as its `tokenProvider`. */
export async function fetchTokens(userId: string): Promise<TokenPair> {
  const { token, wsToken, expiresIn } = await backend.chatToken();
  sessionStorage.setItem(KEY, JSON.stringify({ userId, token, wsToken, expiresAt: Date.now() + expiresIn * 1000 } satisfies Kept));
  return { token, wsToken, expiresIn };
}

/** The kept tokens when still good, else fresh ones. */
export async function initialTokens(userId: string): Promise<TokenPair> {
  return read(userId) ?? fetchTokens(userId);
}

/** Forgets the tokens (logout). */
export function forgetTokens(): void {
  sessionStorage.removeItem(KEY);
}
