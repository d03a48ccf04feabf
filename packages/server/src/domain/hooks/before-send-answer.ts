import { type Attachment, LIMITS } from '@chatsdk/protocol';
import { SendMessageBody } from '@chatsdk/protocol/schemas';
import { Ajv } from 'ajv';

/** The parts of a message a before-send hook may replace. */
export interface HookReplacement {
  text?: string;
  attachments?: Attachment[];
  custom?: Record<string, unknown>;
}

/**
 * What a hook's answer says:
 * - `allow`: store the message as sent (`{}`, `{ "allow": true }`, an empty body).
 * - `reject`: refuse it; `reason` is shown to the sender.
 * - `replace`: store it with these parts replaced.
 * - `invalid`: the answer is not one of those (not JSON, wrong types): a hook failure.
 */
export type HookVerdict =
  | { kind: 'allow' }
  | { kind: 'reject'; reason: string }
  | { kind: 'replace'; replacement: HookReplacement }
  | { kind: 'invalid'; why: string };

/** Longest rejection reason passed on to the sender, in characters: a reason is a sentence, not a document. */
export const REJECT_REASON_LENGTH = 500;

/** What the sender reads when the hook rejects without saying why. */
const DEFAULT_REASON = 'the app rejected this message';

// The replacement is checked by the very schemas a sender's body is checked by, compiled the way the
// routes compile them (strict types, unknown fields refused).
const ajv = new Ajv({ coerceTypes: false, removeAdditional: false, allErrors: false, strict: false });
const { text, attachments, custom } = SendMessageBody.properties;
const checkReplacement = ajv.compile<HookReplacement>({
  type: 'object',
  // A hook may answer with the message it was sent, edited: only these three parts are taken from it.
  properties: { text, attachments, custom },
});

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The rules every request body obeys besides its schema (no NUL characters,
 * nesting within the limit), applied to what a hook puts in a message.
 * Iterative: the answer may be deep.
 */
function badValue(root: unknown): string | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value === 'string' && value.includes('\u0000')) return 'a string with a NUL character';
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= LIMITS.jsonDepth) return `nesting deeper than ${LIMITS.jsonDepth} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (key.includes('\u0000')) return 'a key with a NUL character';
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A reason as the sender may read it: one line, trimmed, at most `REJECT_REASON_LENGTH` characters. */
function cleanReason(reason: unknown): string {
  if (typeof reason !== 'string') return DEFAULT_REASON;
  // Control characters (line breaks included) would let a reason forge lines in a client's log or UI.
  const line = reason.replace(/\p{Cc}+/gu, ' ').trim();
  if (line === '') return DEFAULT_REASON;
  const chars = [...line];
  return chars.length <= REJECT_REASON_LENGTH ? line : `${chars.slice(0, REJECT_REASON_LENGTH - 1).join('')}…`;
}

function replacementOf(message: unknown): HookVerdict {
  if (!isFields(message)) return { kind: 'invalid', why: '"message" is not an object' };
  const bad = badValue(message);
  if (bad) return { kind: 'invalid', why: `"message" has ${bad}` };
  const checked: unknown = message;
  if (!checkReplacement(checked)) {
    const error = checkReplacement.errors?.[0];
    return { kind: 'invalid', why: `"message${error?.instancePath ?? ''}" ${error?.message ?? 'is not valid'}` };
  }
  // Copied part by part: the other fields of an echoed message are not carried along.
  const replacement: HookReplacement = {};
  if (checked.text !== undefined) replacement.text = checked.text;
  if (checked.attachments !== undefined) replacement.attachments = checked.attachments;
  if (checked.custom !== undefined) replacement.custom = checked.custom;
  return Object.keys(replacement).length === 0 ? { kind: 'allow' } : { kind: 'replace', replacement };
}

/**
 * Reads the body of a hook's 2xx answer. Fields other than `allow`,
 * `reject`, `reason` and `message` are ignored, so a hook written for a
 * later version of the answer still works.
 */
export function readVerdict(body: Buffer): HookVerdict {
  const textBody = body.toString('utf8');
  if (textBody.trim() === '') return { kind: 'allow' };
  let answer: unknown;
  try {
    answer = JSON.parse(textBody);
  } catch {
    return { kind: 'invalid', why: 'the answer is not JSON' };
  }
  if (!isFields(answer)) return { kind: 'invalid', why: 'the answer is not a JSON object' };
  const { allow, reject, reason, message } = answer;
  if (allow !== undefined && typeof allow !== 'boolean') return { kind: 'invalid', why: '"allow" is not a boolean' };
  if (reject !== undefined && typeof reject !== 'boolean') return { kind: 'invalid', why: '"reject" is not a boolean' };
  if (reason !== undefined && typeof reason !== 'string') return { kind: 'invalid', why: '"reason" is not a string' };
  // Refusing is the careful reading of an answer that says both, and `allow: false` says no plainly enough.
  if (reject === true || allow === false) return { kind: 'reject', reason: cleanReason(reason) };
  if (message === undefined || message === null) return { kind: 'allow' };
  return replacementOf(message);
}
