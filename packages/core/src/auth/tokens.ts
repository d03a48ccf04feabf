import { ChatError } from '../errors.js';
import { backgroundTimer, readClaims } from '../util.js';

/** The pair of tokens `POST /tokens` answers: `token` for REST, `wsToken` for the WebSocket. */
export interface TokenPair {
  token: string;
  wsToken: string;
  /** Seconds the pair is valid for, when the tokens themselves do not say (opaque tokens). */
  expiresIn?: number;
}

/** Asks the customer's backend for a fresh pair of tokens for the same user. */
export type TokenProvider = () => Promise<TokenPair>;

/** Why the client could not stay authenticated. */
export interface UnauthorizedContext {
  /** The server's 401 code (`token_expired`, `token_revoked`, …), `token_provider_failed`, or `realtime_unauthorized`. */
  reason: string;
  error: ChatError;
}

/** After a failed renewal ahead of expiry, the next try. */
const RETRY_MS = 15_000;

/** How long before `exp` a token is renewed: a tenth of its life, between 5 s and 5 min. */
function leadTime(lifetimeMs: number): number {
  return Math.min(300_000, Math.max(5_000, lifetimeMs / 10));
}

/**
 * The current tokens and their renewal. One refresh at a time, shared by REST
 * and the socket: whoever finds the tokens stale joins the refresh in flight.
 */
export class TokenManager {
  private pair: TokenPair;
  private expiresAt: number | undefined;
  private inFlight: Promise<TokenPair> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scheduling = false;
  private lastRefreshAt = 0;
  /** How many times the provider was asked (for tests and diagnostics). */
  refreshCount = 0;

  constructor(
    initial: TokenPair,
    private readonly provider: TokenProvider | undefined,
    private readonly onUnauthorized: (ctx: UnauthorizedContext) => void,
  ) {
    this.pair = initial;
    this.expiresAt = this.expiryOf(initial, Date.now());
  }

  /** The REST token in use. */
  get token(): string {
    return this.pair.token;
  }

  /** The WebSocket token in use. */
  get wsToken(): string {
    return this.pair.wsToken;
  }

  /** Whether a provider can renew the tokens. */
  get renewable(): boolean {
    return this.provider !== undefined;
  }

  /** The user the tokens are for, when they are JWTs. */
  get userId(): string | undefined {
    return readClaims(this.pair.token)?.sub;
  }

  /** True when the tokens are past (or within a second of) their expiry. */
  isExpired(now = Date.now()): boolean {
    return this.expiresAt !== undefined && this.expiresAt - 1000 <= now;
  }

  /** Replaces the tokens (the app got new ones by itself). */
  set(pair: TokenPair): void {
    this.pair = pair;
    this.expiresAt = this.expiryOf(pair, Date.now());
    if (this.scheduling) this.schedule();
  }

  /**
   * A fresh pair. `stale` is the token the caller found refused: when the
   * tokens were renewed since, the current pair is the answer and no new
   * refresh starts. Throws (and reports `unauthorized`) when there is no
   * provider or it fails; `quiet` renewals (ahead of expiry, while the tokens
   * still work) report nothing.
   */
  refresh(reason: string, stale?: string, quiet = false): Promise<TokenPair> {
    if (stale !== undefined && stale !== this.pair.token && stale !== this.pair.wsToken) return Promise.resolve(this.pair);
    if (this.inFlight) return this.inFlight;
    const provider = this.provider;
    if (!provider) {
      const error = new ChatError('unauthorized', `the token was refused (${reason}) and no tokenProvider can renew it`, 401);
      this.onUnauthorized({ reason, error });
      return Promise.reject(error);
    }
    this.refreshCount += 1;
    const flight = (async () => {
      try {
        const pair = await provider();
        if (!pair || typeof pair.token !== 'string' || typeof pair.wsToken !== 'string') throw new Error('the tokenProvider answered no tokens');
        this.lastRefreshAt = Date.now();
        this.set(pair);
        return pair;
      } catch (cause) {
        const error = new ChatError('token_provider_failed', `the tokenProvider failed: ${String(cause)}`, 401, undefined, { cause });
        if (!quiet) this.onUnauthorized({ reason: 'token_provider_failed', error });
        else if (this.scheduling) this.timer = backgroundTimer(() => this.schedule(), RETRY_MS);
        throw error;
      } finally {
        this.inFlight = undefined;
      }
    })();
    this.inFlight = flight;
    return flight;
  }

  /** Renews the tokens ahead of their expiry from now on (while the client is connected). */
  startSchedule(): void {
    this.scheduling = true;
    this.schedule();
  }

  /** Stops renewing ahead of expiry. */
  stopSchedule(): void {
    this.scheduling = false;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.provider || this.expiresAt === undefined) return;
    const now = Date.now();
    // A provider that hands out short-lived tokens is not asked again more than every 10 s by the schedule.
    const delay = Math.max(0, this.expiresAt - now - leadTime(this.expiresAt - now), this.lastRefreshAt + 10_000 - now);
    this.timer = backgroundTimer(() => {
      // The tokens still work: a failure here is retried later, and reported only once they are refused.
      this.refresh('token_expiring', this.pair.token, !this.isExpired()).catch(() => undefined);
    }, delay);
  }

  private expiryOf(pair: TokenPair, now: number): number | undefined {
    const exp = readClaims(pair.token)?.exp;
    if (typeof exp === 'number') return exp * 1000;
    return pair.expiresIn !== undefined ? now + pair.expiresIn * 1000 : undefined;
  }
}
