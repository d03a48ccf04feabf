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

const FLAGS = 'giu';

/** Compiled pattern sets by source, across versions: a change to one list does not compile the others again. */
const compiledSources = new Map<string, RegExp[]>();
const SOURCES_KEPT = 1000;
const alternation = (patterns: readonly string[]): string => patterns.map((p) => `(?:${foldPattern(p)})`).join('|');

/**
 * Compiles a list's patterns into one RE2 alternation, global (to find every
 * match for a mask), case-insensitive: one scan of the text per list. Should
 * the alternation not compile (RE2's memory bound, which `checkPatterns`
 * tests when a list is written, but a list written before a limit changed
 * could pass it), each pattern is compiled alone and one that does not
 * compile is left out: a send is never refused for a list's fault.
 */
export function compilePatterns(patterns: readonly string[]): RegExp[] {
  const RE2 = re2();
  if (patterns.length === 0 || !RE2) return [];
  const key = JSON.stringify(patterns);
  const known = compiledSources.get(key);
  if (known) return known;
  let compiled: RegExp[];
  try {
    compiled = [new RE2(alternation(patterns), FLAGS)];
  } catch {
    compiled = patterns.flatMap((p) => {
      try {
        return [new RE2(foldPattern(p), FLAGS)];
      } catch {
        return [];
      }
    });
  }
  if (compiledSources.size >= SOURCES_KEPT) {
    const oldest = compiledSources.keys().next();
    if (!oldest.done) compiledSources.delete(oldest.value);
  }
  compiledSources.set(key, compiled);
  return compiled;
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
    const refuse = (why: string) => new ApiError('validation_failed', `${field}/${i} ${JSON.stringify(pattern)} ${why}`, { details: { pattern } });
    try {
      new RE2(foldPattern(pattern), FLAGS);
    } catch (error) {
      throw refuse(`is not a regular expression RE2 runs: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Anchored: whether the whole pattern can match nothing (`x*`), which it would do in every message.
    if (new RE2(`^(?:${foldPattern(pattern)})$`, 'iu').test('')) throw refuse('matches the empty text, so it would match every message');
  });
  // RE2's memory bound is what keeps a list's compile cost bounded (about 160 ms for the largest it takes,
  // four `\pL{100}`, on this machine). A limit on the time measured here would make the same list's answer
  // depend on how busy the machine is: measured under a loaded test run, one such pattern took 8 times as long.
  try {
    new RE2(alternation(patterns), FLAGS);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ApiError('validation_failed', `${field}: the patterns are too large together for RE2 (${why}); split them over two lists`);
  }
}
