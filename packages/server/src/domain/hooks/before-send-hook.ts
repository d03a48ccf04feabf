import type { BeforeSendRequest } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import { OutboundError, type OutboundFailure, type OutboundGuard } from '../../outbound/index.js';
import type { BeforeSendHookRecord } from '../auth/apps.js';
import { randomId } from '../common/ids.js';
import { signedHeaders } from '../webhooks/signature.js';
import { type HookReplacement, readVerdict } from './before-send-answer.js';

/** Requests made per message: the first, and one retry if the first failed fast enough to leave time. */
const ATTEMPTS = 2;
/** Below this much of the budget left, a retry could not get an answer back: it is not sent. */
const MIN_ATTEMPT_MS = 25;
/** Largest answer read: a replaced message at its hard limits (20 000 characters, 10 attachments, 5 KiB of custom) fits well within it. */
const ANSWER_BYTES = 256 * 1024;

/** Why the hook gave no usable answer, in words for the sender's 503. */
type Failure = string;

/**
 * Checks a replacement against the rules of the message it replaces (the
 * app's length limit, text or an attachment, the size of custom); throws
 * `ApiError` when it breaks one. Given by the caller: those rules live with messages.
 */
export type ReplacementCheck = (replacement: HookReplacement) => void;

/** The hook's decision about one message: store it as sent (`replacement` undefined), or with these parts replaced. */
export interface HookDecision {
  replacement: HookReplacement | undefined;
  /** Requests sent: 1, or 2 when the first failed and was retried. */
  attempts: number;
}

/** Ways a request fails that the same request a moment later may not. */
const TRANSIENT: ReadonlySet<OutboundFailure> = new Set(['network', 'dns', 'timeout']);

/** A failed request is worth repeating when the hook (or the way to it) may do better a moment later. */
function retryable(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * What the app's `onFailure` makes of a hook that gave no usable answer:
 * `allow` stores the message unchanged (chat keeps working while the hook is
 * down), `reject` refuses it with 503 `before_send_hook_unavailable`.
 */
function onFailure(hook: BeforeSendHookRecord, failure: Failure, attempts: number): HookDecision {
  if (hook.onFailure === 'allow') return { replacement: undefined, attempts };
  throw new ApiError('before_send_hook_unavailable', `the app's before-send hook gave no usable answer (${failure}); try again later`);
}

/** One request's outcome: an answer with its status, or a failure and whether asking again may help. */
type Exchange = { kind: 'answer'; status: number; body: Buffer } | { kind: 'failed'; failure: Failure; retry: boolean };

/** Sends the signed question once, with `timeoutMs` to answer it. */
async function exchange(outbound: OutboundGuard, hook: BeforeSendHookRecord, id: string, json: string, timeoutMs: number): Promise<Exchange> {
  try {
    const response = await outbound.fetch(hook.url, {
      method: 'POST',
      // Signed at each attempt: the timestamp is the request's own.
      headers: { 'content-type': 'application/json', ...signedHeaders([hook.secret], id, json) },
      body: json,
      accept: 'application/json',
      timeoutMs,
      maxBytes: ANSWER_BYTES,
      // A hook that moved must be saved again: a redirect could lead the signed message anywhere.
      maxRedirects: 0,
    });
    if (response.status >= 200 && response.status <= 299) return { kind: 'answer', status: response.status, body: response.body };
    return { kind: 'failed', failure: `it answered ${response.status}`, retry: retryable(response.status) };
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    // The reason only: the guard's message names the hook's host, which is the app's business, not the sender's.
    const failure = error.reason === 'timeout' ? `no answer within ${hook.timeoutMs} ms` : `the request failed: ${error.reason}`;
    // A refusal (a name that now points inside), a redirect, an answer too large: the same again.
    return { kind: 'failed', failure, retry: TRANSIENT.has(error.reason) };
  }
}

/**
 * Asks the app's before-send hook about a message and returns what to store,
 * or throws 403 `message_rejected` (the hook refused it) or 503
 * `before_send_hook_unavailable` (no usable answer and `onFailure: reject`).
 *
 * The whole exchange, retry included, stays within the hook's `timeoutMs`:
 * the first request may use all of it (a slow hook is waited for rather
 * than asked twice), and only a failure that leaves time (a 5xx, a refused
 * connection) is retried, at once, with what is left. Both requests carry
 * the same `webhook-id`: they are one question. A 2xx answer that cannot be
 * used (not JSON, a replacement that breaks the rules) is not retried: the
 * same question would get the same answer.
 */
export async function askBeforeSend(
  outbound: OutboundGuard,
  hook: BeforeSendHookRecord,
  body: BeforeSendRequest,
  check: ReplacementCheck,
): Promise<HookDecision> {
  const deadline = Date.now() + hook.timeoutMs;
  const json = JSON.stringify(body);
  const id = randomId('msgq');
  let outcome: Exchange = { kind: 'failed', failure: 'no request was sent', retry: false };
  let attempts = 0;
  do {
    const left = deadline - Date.now();
    if (attempts > 0 && left < MIN_ATTEMPT_MS) break;
    attempts++;
    outcome = await exchange(outbound, hook, id, json, Math.max(left, 1));
  } while (outcome.kind === 'failed' && outcome.retry && attempts < ATTEMPTS);
  if (outcome.kind === 'failed') return onFailure(hook, outcome.failure, attempts);

  const verdict = readVerdict(outcome.body);
  switch (verdict.kind) {
    case 'allow':
      return { replacement: undefined, attempts };
    case 'reject':
      throw new ApiError('message_rejected', verdict.reason);
    case 'invalid':
      return onFailure(hook, `its answer is not valid: ${verdict.why}`, attempts);
    case 'replace':
      try {
        check(verdict.replacement);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return onFailure(hook, `its replacement is not valid: ${error.message}`, attempts);
      }
      return { replacement: verdict.replacement, attempts };
  }
}
