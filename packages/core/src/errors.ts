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

  constructor(code: ErrorCode | ClientErrorCode, message: string, status = 0, requestId?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }

  /** Builds the error from the server's one error shape. */
  static fromBody(body: ErrorBody, status: number, requestId?: string): ChatError {
    const { code, message, requestId: id } = body.error;
    return new ChatError(code, message, status, id ?? requestId);
  }

  /** No answer from the server at all (offline, DNS, refused, reset): worth retrying later, never a reason to refresh a token. */
  get isNetwork(): boolean {
    return this.code === 'network_error' || this.code === 'timeout';
  }

  /** A failure that may succeed on a later attempt with the same request. */
  get isTransient(): boolean {
    return this.isNetwork || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** True when `value` is a `ChatError`. */
export function isChatError(value: unknown): value is ChatError {
  return value instanceof ChatError;
}
