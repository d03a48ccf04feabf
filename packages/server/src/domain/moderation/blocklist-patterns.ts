import { createRequire } from 'node:module';
import { ApiError } from '../../errors.js';
import { foldPattern } from './blocklist-text.js';

/** RE2 objects are RegExp objects (same exec, lastIndex, indices in UTF-16 units), run by another engine. */
type RE2Constructor = new (pattern: string, flags?: string) => RegExp;

/**
 * RE2 (Google's engine, as a native module): linear in the text whatever the
 * pattern, because it has no backtracking; it refuses what needs it
 * (backreferences, lookarounds). Loaded lazily and optionally: a server whose
 * install could not build the module still runs, and refuses every pattern
 * (words keep working) rather than run one on a backtracking engine.
 */
let engine: RE2Constructor | null | undefined;

function re2(): RE2Constructor | null {
  if (engine === undefined) {
    try {
      engine = createRequire(import.meta.url)('re2') as RE2Constructor;
    } catch {
      engine = null;
    }
  }
  return engine;
}

/** Whether this server can run blocklist patterns (the re2 module loaded). */
export function patternsSupported(): boolean {
  return re2() !== null;
}

/** Compiles a list's patterns into one RE2 alternation, global (to find every match for a mask), case-insensitive. */
export function compilePatterns(patterns: readonly string[]): RegExp | null {
  const RE2 = re2();
  if (patterns.length === 0 || !RE2) return null;
  return new RE2(patterns.map((p) => `(?:${foldPattern(p)})`).join('|'), 'giu');
}

/**
 * Refuses, with 400 `validation_failed` naming it, a pattern RE2 does not
 * take: malformed, or one that needs backtracking. Each is compiled alone,
 * as written, so the message names the culprit and `a)|(b` (a bad pattern
 * that would make a good alternation once wrapped) is refused.
 */
export function checkPatterns(patterns: readonly string[], field = 'body/patterns'): void {
  if (patterns.length === 0) return;
  const RE2 = re2();
  if (!RE2) throw new ApiError('validation_failed', `${field}: this server cannot run regular expressions safely (the re2 module is not installed); use words`);
  patterns.forEach((pattern, i) => {
    try {
      new RE2(foldPattern(pattern), 'giu');
      // Anchored: whether the whole pattern can match nothing (`x*`), which it would do in every message.
      if (new RE2(`^(?:${foldPattern(pattern)})$`, 'iu').test('')) {
        throw new Error('it matches the empty text, so it would match every message');
      }
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new ApiError('validation_failed', `${field}/${i} ${JSON.stringify(pattern)} is not a regular expression RE2 runs: ${why}`, {
        details: { pattern },
      });
    }
  });
}
