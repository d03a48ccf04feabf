import { type ErrorCode, statusOf } from '@chatsdk/protocol';

/**
 * An error that reaches the caller as-is: a code from the protocol's table and
 * a message written for the developer reading it. Anything else thrown is a
 * fault and is answered `internal_error`.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = statusOf(code);
  }
}
