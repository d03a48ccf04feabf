import { LIMITS } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';

/** What a search looks for: every word must occur; the last may be a prefix. */
export interface SearchTerms {
  /** Lowercased, without repeats, in the order given. */
  words: string[];
  /** Whether the last word also matches longer words that start with it. */
  lastIsPrefix: boolean;
}

/**
 * A word as both indexes see one: letters, digits and private-use characters,
 * the token characters of SQLite's `unicode61` tokenizer. Everything else
 * (spaces, punctuation, symbols, emoji, combining marks) separates words, so
 * the words built from `q` never hold a character of either query syntax.
 */
const WORD = /[\p{L}\p{N}\p{Co}]+/gu;

/** A last word this short would match too many words as a prefix to be worth it ("a*"). */
const MIN_PREFIX = 3;

/** The words of `q`; a `q` with none, or with too many, is the caller's mistake (400). */
export function parseSearchTerms(q: string): SearchTerms {
  const words = [...new Set(q.toLowerCase().match(WORD) ?? [])];
  if (words.length === 0) throw new ApiError('validation_failed', 'q has no words to search for (letters or digits)');
  if (words.length > LIMITS.searchWords) {
    throw new ApiError('validation_failed', `q has ${words.length} words; a search takes at most ${LIMITS.searchWords}`);
  }
  const last = words.at(-1) ?? '';
  return { words, lastIsPrefix: [...last].length >= MIN_PREFIX };
}

/** The terms as an FTS5 query: `"a" AND "b" AND "c"*`. */
export function toFts5Query(terms: SearchTerms): string {
  return terms.words.map((w, i) => `"${w}"${terms.lastIsPrefix && i === terms.words.length - 1 ? '*' : ''}`).join(' AND ');
}

/** The terms as a PostgreSQL tsquery text: `a & b & c:*`. */
export function toTsQuery(terms: SearchTerms): string {
  return terms.words.map((w, i) => `${w}${terms.lastIsPrefix && i === terms.words.length - 1 ? ':*' : ''}`).join(' & ');
}
