import type { TokenPair } from '@chatsdk/core';

/** A user of the demo's backend (examples/backend). */
export interface BackendUser {
  id: string;
  name: string;
  /** The user's ChatSDK app role, as the backend gives it. */
  role?: 'user' | 'moderator';
}

/** What the backend tells the page before login. */
export interface BackendConfig {
  /** Where ChatSDK is, as the browser reaches it. */
  chatApiUrl: string;
  /** The demo accounts, for the login screen's hints. */
  demoAccounts: { id: string; name: string; password: string; role?: 'user' | 'moderator' }[];
}

/** The backend's error, with its code. */
export class BackendError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    ...(body !== undefined ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok) throw new BackendError(response.status, json.error?.code ?? 'error', json.error?.message ?? response.statusText);
  return json as T;
}

/** The demo backend's routes, as the page calls them (same origin, with its session cookie). */
export const backend = {
  config: () => call<BackendConfig>('GET', '/api/config'),
  /** The logged-in user, or null (the session cookie is HttpOnly: only the backend can tell). */
  me: () =>
    call<{ user: BackendUser }>('GET', '/api/auth/me').then(
      (answer) => answer.user,
      (error: unknown) => {
        if (error instanceof BackendError && error.status === 401) return null;
        throw error;
      },
    ),
  login: (username: string, password: string) => call<{ user: BackendUser }>('POST', '/api/auth/login', { username, password }).then((a) => a.user),
  logout: () => call<void>('POST', '/api/auth/logout'),
  chatToken: () => call<TokenPair & { expiresIn: number; apiUrl: string }>('POST', '/api/auth/chat-token'),
};
