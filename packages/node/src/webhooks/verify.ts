import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookBody } from '@chatsdk/protocol';
import { headerValue, type WebhookHeaders } from './headers.js';

/** Why a delivery was refused. */
export type WebhookVerificationReason =
  /** `webhook-id`, `webhook-timestamp` or `webhook-signature` is missing or empty. */
  | 'missing_header'
  /** `webhook-timestamp` is not a number of seconds. */
  | 'invalid_timestamp'
  /** Signed longer ago than the tolerance: possibly a captured request played again. */
  | 'timestamp_too_old'
  /** Signed further in the future than the tolerance: a clock is wrong, or the request was forged. */
  | 'timestamp_too_new'
  /** No `v1,` signature in the header is the one the secret (or any of the secrets) makes. */
  | 'invalid_signature'
  /** The body was parsed before it reached here (`express.json()`): verify the bytes as they came. */
  | 'body_not_raw'
  /** The signature holds, but the body is not a webhook's JSON. */
  | 'invalid_body';

/** A delivery that is not ChatSDK's, not for this secret, or not fresh; `reason` says which. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    /** Stable code of what failed. */
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
  }
}

/** How strict `verifyWebhook` is about time. */
export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** Now, for the timestamp check (a `Date` or milliseconds since the epoch); default the clock. */
  now?: Date | number;
}

const SECRET_PREFIX = 'whsec_';
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/**
 * Checks that a delivery was signed by ChatSDK with your webhook's secret
 * (Standard Webhooks: `v1,` HMAC-SHA256 of `id.timestamp.body`) within the
 * tolerance, and returns its parsed body. Give the raw body exactly as it
 * came (a string or the bytes), and during a secret rotation both secrets:
 * any signature made by any of them is accepted. Signatures are compared in
 * constant time. Throws `WebhookVerificationError` otherwise.
 */
export function verifyWebhook(
  headers: WebhookHeaders,
  rawBody: string | Uint8Array,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): WebhookBody {
  const keys = hmacKeys(secret);
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    throw new WebhookVerificationError('body_not_raw', 'the body must be the raw request body (a string or a Buffer), not a parsed object: use express.raw({ type: "application/json" }) for this route');
  }
  const id = headerValue(headers, 'webhook-id');
  const timestamp = headerValue(headers, 'webhook-timestamp');
  const signatures = headerValue(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing_header', 'webhook-id, webhook-timestamp and webhook-signature are all required');
  }
  checkTimestamp(timestamp, options);

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  // The bytes as they came, not a re-encoded string: a body that is not valid UTF-8 still verifies as signed.
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
  const expected = keys.map((key) => createHmac('sha256', key).update(signed).digest());
  if (!signatures.split(' ').some((entry) => matchesAny(entry, expected))) {
    throw new WebhookVerificationError('invalid_signature', 'no signature matches this secret: the body was changed, or it was signed with another secret');
  }
  return parseBody(body);
}

/** The HMAC keys of the secrets: the bytes the base64 after `whsec_` stands for. */
function hmacKeys(secret: string | readonly string[]): Buffer[] {
  const secrets: unknown[] = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? [...(secret as unknown[])] : [];
  if (secrets.length === 0) throw new TypeError('verifyWebhook needs the webhook secret (whsec_…)');
  return secrets.map((value) => {
    const key = typeof value === 'string' ? Buffer.from(value.startsWith(SECRET_PREFIX) ? value.slice(SECRET_PREFIX.length) : value, 'base64') : Buffer.alloc(0);
    // A misconfiguration (an unset environment variable) must not look like a forged request: it is thrown as a TypeError.
    if (key.length === 0) throw new TypeError('a webhook secret is empty or not whsec_<base64>');
    return key;
  });
}

function checkTimestamp(timestamp: string, options: VerifyWebhookOptions): void {
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp is not a number of seconds');
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowMs = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const age = Math.floor(nowMs / 1000) - Number(timestamp);
  if (age > tolerance) throw new WebhookVerificationError('timestamp_too_old', `signed ${age} s ago, more than the ${tolerance} s allowed`);
  if (-age > tolerance) throw new WebhookVerificationError('timestamp_too_new', `signed ${-age} s in the future, more than the ${tolerance} s allowed`);
}

/** True when `entry` is a `v1,<base64>` signature equal to one of `expected`; other versions are skipped, as the spec asks. */
function matchesAny(entry: string, expected: readonly Buffer[]): boolean {
  const comma = entry.indexOf(',');
  if (comma < 0 || entry.slice(0, comma) !== 'v1') return false;
  const given = Buffer.from(entry.slice(comma + 1), 'base64');
  // Lengths are public (an HMAC-SHA256 is 32 bytes), so checking them first leaks nothing; the bytes are compared in constant time.
  return expected.some((mac) => given.length === mac.length && timingSafeEqual(given, mac));
}

function parseBody(body: Buffer): WebhookBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('invalid_body', 'the body is not JSON');
  }
  const candidate = parsed as Partial<Record<keyof WebhookBody, unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.type !== 'string' || typeof candidate.data !== 'object' || candidate.data === null) {
    throw new WebhookVerificationError('invalid_body', 'the body is not a webhook event ({ type, timestamp, data })');
  }
  return parsed as WebhookBody;
}
