import type { ErrorBody, ErrorCode } from '@chatsdk/protocol';

/** Codes the client raises itself, beside the server's `ErrorCode`s. */
export type ClientErrorCode =
  | 'network_error'
  | 'timeout'
  | 'token_provider_failed'
  | 'api_key_in_browser'
  | 'invalid_response'
  | 'not_connected'
  | 'client_closed'
  | 'aborted'
  | 'file_unavailable';

/** Every error the SDK throws: the server's `code`, `status` and `requestId`, or a client code with status 0. */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  /** Stable snake_case code: the server's, or one of `ClientErrorCode`. */
  readonly code: ErrorCode | ClientErrorCode;
  /** HTTP status; 0 when no answer came from the server. */
  readonly status: number;
  /** The server's request id, to find the request in its logs. */
  readonly requestId: string | undefined;
  /** Facts about the refusal a UI may act on (the server's `error.details`): a ban's `expiresAt`, slow mode's `retryAfterSeconds`, a blocklist's name. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode | ClientErrorCode, message: string, status = 0, requestId?: string, options?: { cause?: unknown; details?: Record<string, unknown> | undefined }) {
    super(message, options);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.details = options?.details;
  }

  /** Builds the error from the server's one error shape; `retryAfter` is the `Retry-After` header, for a 429 whose body has no details. */
  static fromBody(body: ErrorBody, status: number, requestId?: string, retryAfter?: string | null): ChatError {
    const { code, message, requestId: id, details } = body.error;
    const seconds = Number(retryAfter);
    const merged = retryAfter && Number.isFinite(seconds) && details?.retryAfterSeconds === undefined ? { ...details, retryAfterSeconds: seconds } : details;
    return new ChatError(code, message, status, id ?? requestId, { details: merged });
  }

  /** Seconds until a `slow_mode` refusal lifts (`details.retryAfterSeconds`, else `Retry-After`). */
  get retryAfterSeconds(): number | undefined {
    const seconds = this.details?.retryAfterSeconds;
    return typeof seconds === 'number' ? seconds : undefined;
  }

  /** A `user_banned` refusal's ban: until when (null: until lifted) and from which channel (null: the app). */
  get ban(): { expiresAt: string | null; channelId: string | null } | undefined {
    if (this.code !== 'user_banned') return undefined;
    const { expiresAt, channelId } = this.details ?? {};
    return { expiresAt: typeof expiresAt === 'string' ? expiresAt : null, channelId: typeof channelId === 'string' ? channelId : null };
  }

  /** No answer from the server at all (offline, DNS, refused, reset): worth retrying later, never a reason to refresh a token. */
  get isNetwork(): boolean {
    return this.code === 'network_error' || this.code === 'timeout';
  }

  /**
   * A failure that may succeed on a later attempt with the same request. Not
   * `slow_mode`: its wait is the user's (the composer counts it down), and a
   * retry on the outbox's backoff would only be refused again.
   */
  get isTransient(): boolean {
    return this.isNetwork || this.status >= 500 || this.status === 408 || (this.status === 429 && this.code !== 'slow_mode');
  }
}

/** True when `value` is a `ChatError`. */
export function isChatError(value: unknown): value is ChatError {
  return value instanceof ChatError;
}
