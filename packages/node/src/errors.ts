import type { ErrorBody, ErrorCode } from '@chatsdk/protocol';

/** Codes the SDK raises itself, beside the server's `ErrorCode`s. */
export type SdkErrorCode =
  /** No answer: the connection was refused, reset, or its name did not resolve. */
  | 'network_error'
  /** No answer within `timeoutMs`. */
  | 'timeout'
  /** An answer that is not ChatSDK's: a proxy's HTML page, a body that is not JSON. */
  | 'unexpected_response'
  /** `new ChatSDK()` in a web page, where anyone could read the API key. */
  | 'api_key_in_browser';

/**
 * Every error the SDK throws for a call: the server's `code`, `status` and
 * `requestId` when it answered, or one of `SdkErrorCode` with status 0.
 */
export class ChatSDKError extends Error {
  override readonly name: string = 'ChatSDKError';
  /** Stable snake_case code: the server's, or one of `SdkErrorCode`. */
  readonly code: ErrorCode | SdkErrorCode;
  /** HTTP status of the answer; 0 when there was none. */
  readonly status: number;
  /** The server's request id (`x-request-id`), to find the request in its logs. */
  readonly requestId: string | undefined;
  /** How many requests were sent for this call (more than 1 after retries). */
  readonly attempts: number;

  constructor(
    code: ErrorCode | SdkErrorCode,
    message: string,
    details: { status?: number; requestId?: string | undefined; attempts?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status ?? 0;
    this.requestId = details.requestId;
    this.attempts = details.attempts ?? 1;
  }

  /** Builds the error from the server's one error shape. */
  static fromBody(body: ErrorBody, status: number, attempts: number, headerRequestId?: string): ChatSDKError {
    const { code, message, requestId } = body.error;
    return new ChatSDKError(code, message, { status, requestId: requestId || headerRequestId, attempts });
  }
}

/**
 * No answer came from the server at all (refused, reset, DNS, timeout):
 * distinct from a `ChatSDKError` the server answered, because the call may
 * or may not have been carried out.
 */
export class ChatSDKNetworkError extends ChatSDKError {
  override readonly name: string = 'ChatSDKNetworkError';
  declare readonly code: 'network_error' | 'timeout';

  constructor(code: 'network_error' | 'timeout', message: string, attempts: number, cause: unknown) {
    super(code, message, { attempts, cause });
  }
}

/** True when `value` is the server's error shape, `{ error: { code, message, … } }`. */
export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
