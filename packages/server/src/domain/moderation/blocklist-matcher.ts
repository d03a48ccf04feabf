import type { Blocklist } from '@chatsdk/protocol';
import { compilePatterns } from './blocklist-patterns.js';
import { foldText, originalRange, tokensOf, wordTokens } from './blocklist-text.js';

/** What the matcher needs of a list. */
export type BlocklistSource = Pick<Blocklist, 'name' | 'words' | 'patterns' | 'mode' | 'channelTypes'>;

/** One list, compiled: its place in the app's lists, its mode and types, its patterns. */
export interface CompiledList {
  index: number;
  name: string;
  mode: Blocklist['mode'];
  channelTypes: ReadonlySet<string>;
  /** One RE2 alternation of the list's patterns (or, should that not compile, one per pattern); none without patterns. */
  patterns: RegExp[];
}

/** A listed word of several tokens ("bad word", "don't", a word in Han characters). */
interface Phrase {
  rest: string[];
  list: number;
}

/**
 * All of an app's lists in one structure, so the cost of a send is one
 * tokenisation of its text and one hash look-up per token, whatever the
 * number of words (a regular expression per word would cost a scan of the
 * text per word).
 */
export interface CompiledBlocklists {
  lists: CompiledList[];
  /** A one-token word → the lists that hold it. */
  words: Map<string, number[]>;
  /** A phrase's first token → the phrases that start with it. */
  phrases: Map<string, Phrase[]>;
}

/** A match, in the original text's positions. */
export interface BlocklistMatch {
  list: number;
  start: number;
  end: number;
}

function add<T>(map: Map<string, T[]>, key: string, value: T): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}

/** Compiles an app's lists (each list's words and patterns were checked when it was written). */
export function compileBlocklists(sources: readonly BlocklistSource[]): CompiledBlocklists {
  const compiled: CompiledBlocklists = { lists: [], words: new Map(), phrases: new Map() };
  sources.forEach((source, index) => {
    compiled.lists.push({ index, name: source.name, mode: source.mode, channelTypes: new Set(source.channelTypes), patterns: compilePatterns(source.patterns) });
    for (const word of source.words) {
      const [first, ...rest] = wordTokens(word);
      if (first === undefined) continue;
      if (rest.length > 0) {
        add(compiled.phrases, first, { rest, list: index });
        continue;
      }
      // A word listed twice in one list counts once.
      const lists = compiled.words.get(first);
      if (lists?.at(-1) !== index) add(compiled.words, first, index);
    }
  });
  return compiled;
}

/**
 * Every match of the given lists in `text`: listed words where the folded
 * text has the same tokens (so on word boundaries), and pattern matches
 * anywhere in the folded text. `applies[i]` says whether list `i` counts.
 */
export function findMatches(compiled: CompiledBlocklists, applies: readonly boolean[], text: string): BlocklistMatch[] {
  const folded = foldText(text);
  const found: Array<{ list: number; start: number; end: number }> = [];
  const tokens = tokensOf(folded.folded);
  tokens.forEach((token, i) => {
    for (const list of compiled.words.get(token.text) ?? []) if (applies[list]) found.push({ list, start: token.start, end: token.end });
    for (const phrase of compiled.phrases.get(token.text) ?? []) {
      if (!applies[phrase.list] || i + phrase.rest.length >= tokens.length) continue;
      if (phrase.rest.every((t, k) => tokens[i + 1 + k]?.text === t)) {
        found.push({ list: phrase.list, start: token.start, end: tokens[i + phrase.rest.length]?.end ?? token.end });
      }
    }
  });
  for (const list of compiled.lists) {
    if (!applies[list.index]) continue;
    for (const pattern of list.patterns) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(folded.folded); m; m = pattern.exec(folded.folded)) {
        // Patterns that match nothing are refused when written; this only keeps a loop from standing still.
        if (m[0].length === 0) {
          pattern.lastIndex++;
          continue;
        }
        found.push({ list: list.index, start: m.index, end: m.index + m[0].length });
      }
    }
  }
  return found.map((f) => {
    const [start, end] = originalRange(folded, f.start, f.end);
    return { list: f.list, start, end };
  });
}

/** `text` with each range replaced by `***` (overlapping and touching ranges as one). */
export function maskRanges(text: string, ranges: ReadonlyArray<{ start: number; end: number }>): string {
  if (ranges.length === 0) return text;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: Array<[number, number]> = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start <= last[1]) last[1] = Math.max(last[1], range.end);
    else merged.push([range.start, range.end]);
  }
  let out = '';
  let at = 0;
  for (const [start, end] of merged) {
    out += `${text.slice(at, start)}***`;
    at = end;
  }
  return out + text.slice(at);
}
