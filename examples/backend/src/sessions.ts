import { randomBytes } from 'node:crypto';

/** A logged-in browser: the session id is the cookie's value, random and unguessable. */
export interface Session {
  id: string;
  userId: string;
  expiresAt: number;
}

/** Sessions in memory: enough for a demo (a restart logs everyone out); a real backend keeps them in its store. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(userId: string): Session {
    this.#sweep();
    const session = { id: randomBytes(32).toString('base64url'), userId, expiresAt: this.now() + this.ttlMs };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  #sweep(): void {
    const now = this.now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}
