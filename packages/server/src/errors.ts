import { type ErrorCode, statusOf } from '@chatsdk/protocol';

/**
 * An error that reaches the caller as-is: a code from the protocol's table and
 * a message written for the developer reading it. Anything else thrown is a
 * fault and is answered `internal_error`.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Facts a client acts on, answered as the error's `details` (a ban's expiry). */
  readonly details: Record<string, unknown> | undefined;
  /** Seconds until a retry can succeed: answered as `Retry-After` (slow mode, rate limits). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, extra: { details?: Record<string, unknown>; retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = statusOf(code);
    this.details = extra.details;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}
