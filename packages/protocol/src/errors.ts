/**
 * The one table of error codes ChatSDK answers with. Every code maps to exactly
 * one HTTP status, so a code without a status does not compile, and every code
 * is documented in the README's error table (a test checks both directions).
 */
export const ERROR_CODES = {
  invalid_json: { status: 400, description: 'The request body is not valid JSON.' },
  validation_failed: { status: 400, description: 'A field is missing, has the wrong type, is too long, or is not allowed.' },
  webhook_url_refused: { status: 400, description: 'The webhook or hook URL is not https (see `CHATSDK_ALLOW_HTTP_WEBHOOKS`), or its host resolves to a private, loopback, link-local or metadata address that the operator has not allowed.' },
  message_blocked: { status: 400, description: 'The message holds a word or pattern of a blocklist in `block` mode; `details.blocklist` names the list.' },
  malformed_request: { status: 400, description: 'The request is not well-formed HTTP: its request line, a header or its framing.' },
  unauthorized: { status: 401, description: 'No credentials: send `Authorization: Bearer <token>` or `X-API-Key`.' },
  invalid_api_key: { status: 401, description: 'The API key is unknown, revoked or past its rotation window.' },
  invalid_token: { status: 401, description: 'The token is malformed, has a bad signature, or names an unknown app or user.' },
  token_expired: { status: 401, description: 'The token is past its `exp`; get a new one from your backend.' },
  token_revoked: { status: 401, description: "The token was issued before the user's tokens were revoked." },
  wrong_token_kind: { status: 401, description: 'A `wsToken` was sent to REST (or a REST `token` to the WebSocket).' },
  forbidden: { status: 403, description: 'The caller is authenticated but may not do this (for example a user calling a server-only route).' },
  origin_not_allowed: { status: 403, description: "The request's Origin is not in the app's allowed origins." },
  user_banned: { status: 403, description: 'The user is banned from the app or from this channel; `details.expiresAt` says until when (null: until lifted), `details.channelId` is set for a channel ban.' },
  channel_frozen: { status: 403, description: 'The channel is frozen: only its moderators (and the server) send or react.' },
  message_rejected: { status: 403, description: "The app's before-send hook rejected the message; `message` carries its reason." },
  user_blocked: { status: 403, description: 'The recipient has blocked the sender in this direct conversation.' },
  not_found: { status: 404, description: 'No such route.' },
  user_not_found: { status: 404, description: 'No such user in this app.' },
  api_key_not_found: { status: 404, description: 'No such API key in this app.' },
  channel_not_found: { status: 404, description: 'No such channel in this app, or not one the caller may see.' },
  message_not_found: { status: 404, description: 'No such message, or not in a channel the caller may read.' },
  reaction_not_found: { status: 404, description: 'The caller has no reaction of this type on this message.' },
  webhook_not_found: { status: 404, description: 'No such webhook in this app.' },
  ban_not_found: { status: 404, description: 'The user has no ban in this app (or in this channel, with `channelId`).' },
  flag_not_found: { status: 404, description: 'No such flag in the review queue of this app.' },
  blocklist_not_found: { status: 404, description: 'No blocklist of this name in this app.' },
  session_not_found: { status: 404, description: 'No realtime session with this id on this process: it closed, or never was.' },
  upload_not_found: { status: 404, description: "No such upload in this app, or a file link whose signature is not the server's." },
  upload_link_expired: { status: 403, description: "The file link is past its expiry; read the message (or upload) again for a fresh one." },
  request_timeout: { status: 408, description: 'The request did not arrive in time (its headers, or the whole of it); the connection is closed.' },
  channel_exists: { status: 409, description: 'A channel with this id exists and the caller may not see it.' },
  blocklist_exists: { status: 409, description: 'A blocklist of this name exists in this app.' },
  message_id_conflict: { status: 409, description: 'A message with this id was sent with a different body.' },
  upload_not_attachable: { status: 409, description: 'The upload belongs to another channel, to another uploader, or to another message already.' },
  upload_attached: { status: 409, description: 'The upload is attached to a message: edit the message to drop it, or delete the message.' },
  payload_too_large: { status: 413, description: "The request body is larger than its limit: 1 MiB for JSON, the app's `maxUploadBytes` for an upload." },
  unsupported_media_type: { status: 415, description: 'The body is not `application/json` (for `POST /api/uploads`, not `multipart/form-data`).' },
  upload_type_not_allowed: { status: 415, description: "The file's type, sniffed from its bytes, is not in the app's `allowedUploadTypes` (executables are refused unless named)." },
  range_not_satisfiable: { status: 416, description: 'The `Range` asked for starts past the end of the file.' },
  image_too_large: { status: 422, description: "The image's width × height is past the limit (100 megapixels): it is refused without being decoded." },
  upload_unreadable: { status: 422, description: 'The bytes say the file is an image, but it cannot be decoded.' },
  headers_too_large: { status: 431, description: 'The request headers are larger than 16 KiB.' },
  slow_mode: { status: 429, description: 'The channel is in slow mode and the sender sent less than `cooldownSeconds` ago; `Retry-After` (and `details.retryAfterSeconds`) says when to try again.' },
  internal_error: { status: 500, description: 'A fault on our side; the request id finds it in the logs.' },
  before_send_hook_unavailable: { status: 503, description: "The app's before-send hook did not answer in time (or failed) and the app's `onFailure` is `reject`; retry later." },
  service_unavailable: { status: 503, description: 'The store is unreachable, or this server is shutting down; retry later.' },
} as const satisfies Record<string, { status: number; description: string }>;

/** A stable, snake_case error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Every error code, in table order. */
export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];

/** The HTTP status a code is answered with. */
export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** True when `value` is one of the codes in the table. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The body of every error response, REST or otherwise. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    status: number;
    requestId: string;
    /** Facts about this refusal a client may act on: a ban's `expiresAt`, slow mode's `retryAfterSeconds`. */
    details?: Record<string, unknown>;
  };
}
