/**
 * The text blocklists look at: folded so that case and accents do not count,
 * cut into tokens on Unicode word boundaries, with every folded position
 * mapped back to the original text so that a mask replaces what was typed.
 */

/** Text folded for matching, with the way back to the original. */
export interface FoldedText {
  /** NFKD, combining marks removed, lower-cased. */
  folded: string;
  /**
   * For each UTF-16 unit of `folded`, the start of the original code point
   * it came from; one entry more, the original length, closes the last one.
   * Null when `folded` has the original's positions (ASCII text).
   */
  starts: Int32Array | null;
  /** As `starts`, the end of the original code point. */
  ends: Int32Array | null;
}

/** A token of folded text: where it is, and what it says. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

const ASCII = /^[\x00-\x7f]*$/;
const MARKS = /\p{M}/gu;

/**
 * A token is a run of letters and digits, or one symbol (so an emoji word
 * can be listed), or one character of a script written without spaces
 * (Han, Hiragana, Katakana), where a word is a sequence of such tokens.
 * `\b` is not used: it knows only ASCII letters and digits, so it would find
 * a boundary inside "bád" and none around a Cyrillic or Greek word.
 */
const TOKEN = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]|\p{S}|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])[\p{L}\p{N}])+/gu;

/**
 * Letters that NFKD leaves whole although readers take them for a letter
 * with a mark, or for two letters, and one that case folds by its place in
 * a word: without these, "Łódź" would not match "lodz", nor "straße" "strasse".
 */
const FOLDS = new Map([
  ['ß', 'ss'],
  ['ł', 'l'],
  ['ø', 'o'],
  ['đ', 'd'],
  ['ð', 'd'],
  ['ħ', 'h'],
  ['ı', 'i'],
  ['ŧ', 't'],
  ['þ', 'th'],
  ['æ', 'ae'],
  ['œ', 'oe'],
  // Lower-cased alone, "Σ" is always "σ": the final form must fold to it too, or "κακός" would miss "ΚΑΚΟΣ".
  ['ς', 'σ'],
]);

/** Code points folded so far: messages repeat their letters, and `normalize` is the cost of folding. */
const folds = new Map<string, string>();
const FOLDS_KEPT = 20_000;

/** One code point folded: the same function folds words and text, so the two always agree. */
function foldCodePoint(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x80) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : c;
  let folded = folds.get(c);
  if (folded === undefined) {
    folded = [...c.normalize('NFKD').replace(MARKS, '').toLowerCase()].map((f) => FOLDS.get(f) ?? f).join('');
    if (folds.size >= FOLDS_KEPT) folds.clear();
    folds.set(c, folded);
  }
  return folded;
}

/**
 * Folds text for matching: compatibility decomposition (NFKD: "ﬁ" is "fi",
 * "é" is "e" and a mark), marks removed, lower case, and the few `FOLDS`. Folded code point by
 * code point, so each folded unit knows the original code point it came
 * from; ASCII text, the usual case, is lower-cased in one call.
 */
export function foldText(text: string): FoldedText {
  if (ASCII.test(text)) return { folded: text.toLowerCase(), starts: null, ends: null };
  let folded = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const c of text) {
    const f = foldCodePoint(c);
    folded += f;
    for (let i = 0; i < f.length; i++) {
      starts.push(at);
      ends.push(at + c.length);
    }
    at += c.length;
  }
  starts.push(at);
  ends.push(at);
  return { folded, starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}

/** The original range of a folded range `[start, end)` (end > start). */
export function originalRange(text: FoldedText, start: number, end: number): [number, number] {
  if (!text.starts || !text.ends) return [start, end];
  return [text.starts[start] ?? 0, text.ends[end - 1] ?? 0];
}

/** The tokens of folded text, in order. */
export function tokensOf(folded: string): Token[] {
  const tokens: Token[] = [];
  for (const m of folded.matchAll(TOKEN)) tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return tokens;
}

/** A listed word as tokens: one for a plain word, several for a phrase ("bad word", "don't"), none for punctuation. */
export function wordTokens(word: string): string[] {
  return tokensOf(foldText(word).folded).map((t) => t.text);
}

/** Folds a regular expression's source: accents go as in the text; case is left to the `i` flag (lower-casing `\W` would make it `\w`). */
export function foldPattern(source: string): string {
  return source.normalize('NFKD').replace(MARKS, '');
}
