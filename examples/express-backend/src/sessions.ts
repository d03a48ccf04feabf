import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Accounts, AppUser } from './accounts.js';

const COOKIE = 'sid';
const TTL_MS = 8 * 3600 * 1000;

/** Cookie sessions kept in memory: enough for an example (a restart logs everyone out); yours live in your store. */
export class Sessions {
  readonly #sessions = new Map<string, { userId: string; expiresAt: number }>();

  constructor(private readonly accounts: Accounts) {}

  /** Starts a session for `user` and sets its cookie: HttpOnly, so the page's scripts never read it. */
  start(res: Response, user: AppUser): void {
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { userId: user.id, expiresAt: Date.now() + TTL_MS });
    res.cookie(COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: process.env.NODE_ENV === 'production', maxAge: TTL_MS, path: '/' });
  }

  /** Middleware: puts the logged-in user in `res.locals.user`, or answers 401. */
  requireUser(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const user = this.userOf(req);
      if (!user) {
        res.status(401).json({ error: { code: 'not_logged_in', message: 'log in first' } });
        return;
      }
      res.locals.user = user;
      next();
    };
  }

  private userOf(req: Request): AppUser | undefined {
    const id = cookieValue(req.headers.cookie, COOKIE);
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (!id || !session) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return this.accounts.find(session.userId);
  }
}

/** One cookie's value from a `Cookie` header (Express parses no cookies without a middleware). */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
