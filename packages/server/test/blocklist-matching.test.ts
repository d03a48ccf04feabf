import { describe, expect, it } from 'vitest';
import { type BlocklistSource, compileBlocklists, findMatches, maskRanges } from '../src/domain/moderation/blocklist-matcher.js';
import { checkPatterns, compilePatterns, patternsSupported } from '../src/domain/moderation/blocklist-patterns.js';
import { foldText, originalRange } from '../src/domain/moderation/blocklist-text.js';
import { ApiError } from '../src/errors.js';

const list = (words: string[], patterns: string[] = [], name = 'l'): BlocklistSource => ({ name, words, patterns, mode: 'mask', channelTypes: [] });

/** The text with every match of the lists masked, as a `mask` list would store it. */
function masked(sources: BlocklistSource[], text: string): string {
  const compiled = compileBlocklists(sources);
  return maskRanges(text, findMatches(compiled, compiled.lists.map(() => true), text));
}

const matched = (sources: BlocklistSource[], text: string): boolean => {
  const compiled = compileBlocklists(sources);
  return findMatches(compiled, compiled.lists.map(() => true), text).length > 0;
};

describe('blocklist words match whatever the case and accents, on word boundaries', () => {
  it('matches "Bad", "BAD", "bád" and "b\u0061\u0301d" (decomposed) for "bad"', () => {
    for (const text of ['Bad', 'BAD', 'bád', 'ba\u0301d', 'so bad!', '(bad)', 'x,bad,y', 'ｂａｄ']) expect(matched([list(['bad'])], text), text).toBe(true);
  });

  it('matches an accented word in plain text too ("café" listed, "CAFE" sent)', () => {
    expect(matched([list(['café'])], 'CAFE open')).toBe(true);
  });

  it('folds the letters NFKD keeps whole: "Łódź" is "lodz", "STRASSE" is "straße", "Ærø" is "aero"', () => {
    expect(matched([list(['lodz'])], 'in Łódź')).toBe(true);
    expect(matched([list(['straße'])], 'STRASSE')).toBe(true);
    expect(masked([list(['aero'])], 'Ærø!')).toBe('***!');
  });

  it('does not match inside a longer word, in any script ("badminton", "abad", "bad2", "badé")', () => {
    for (const text of ['badminton', 'abad', 'bad2', 'badé', 'bad_', 'ébad']) {
      // "_" is not a letter: "bad_" holds the token "bad".
      expect(matched([list(['bad'])], text), text).toBe(text === 'bad_');
    }
  });

  it('finds word boundaries in every alphabet, where \\b finds none ("плохо", "κακός")', () => {
    expect(masked([list(['плохо', 'κακός'])], 'Это ПЛОХО, όχι ΚΑΚΟΣ; плохой')).toBe('Это ***, όχι ***; плохой');
  });

  it('matches a phrase across any separator, and not its words alone', () => {
    const phrase = [list(['bad word'])];
    expect(matched(phrase, 'a Bad   Word here')).toBe(true);
    expect(matched(phrase, 'bad-word')).toBe(true);
    expect(matched(phrase, 'bad words')).toBe(false);
    expect(matched(phrase, 'bad')).toBe(false);
    expect(matched(phrase, 'word bad')).toBe(false);
    expect(masked(phrase, 'a bad, word.')).toBe('a ***.');
  });

  it('matches emoji words and words in scripts written without spaces', () => {
    expect(masked([list(['🍆'])], 'hi🍆there')).toBe('hi***there');
    expect(masked([list(['坏人'])], '他是坏人吗')).toBe('他是***吗');
    expect(matched([list(['坏人'])], '坏')).toBe(false);
  });

  it('masks the text as typed, accents, capitals and wide forms included', () => {
    expect(masked([list(['bad', 'ugly'])], 'Bád and UGLY, not badminton')).toBe('*** and ***, not badminton');
    expect(masked([list(['ﬁne'])], 'Fine, ﬁne: FINE')).toBe('***, ***: ***');
    expect(masked([list(['bad'])], '𝐛𝐚𝐝 ! 😀 bad')).toBe('*** ! 😀 ***');
  });

  it('maps folded positions back over expansions and surrogate pairs', () => {
    const text = 'ﬁ😀é';
    const folded = foldText(text);
    expect(folded.folded).toBe('fi😀e');
    expect(originalRange(folded, 0, 2)).toEqual([0, 1]);
    expect(originalRange(folded, 2, 4)).toEqual([1, 3]);
    expect(originalRange(folded, 4, 5)).toEqual([3, 4]);
  });

  it('ignores a word repeated in a list and one held by two lists, counting each list once per token', () => {
    const compiled = compileBlocklists([list(['bad', 'BAD', 'bád'], [], 'a'), list(['bad'], [], 'b')]);
    expect(findMatches(compiled, [true, true], 'bad').map((m) => m.list)).toEqual([0, 1]);
    expect(findMatches(compiled, [false, true], 'bad').map((m) => m.list)).toEqual([1]);
    expect(findMatches(compiled, [false, false], 'bad')).toEqual([]);
  });
});

describe('blocklist patterns', () => {
  it('runs on RE2 here (the native module built)', () => {
    expect(patternsSupported()).toBe(true);
  });

  it('matches case- and accent-insensitively, anywhere the pattern says', () => {
    expect(masked([list([], ['b[a4]d+'])], 'so BAAD, b4ddd, bád')).toBe('so BAAD, ***, ***');
    expect(masked([list([], ['\\d{3}-\\d{4}'])], 'call 555-1234 now')).toBe('call *** now');
  });

  it('refuses a malformed pattern, a backreference, a lookaround, and one that matches every text, naming it', () => {
    for (const bad of ['(unclosed', 'a)|(b', '(a)\\1', '(?=a)b', '(?<!a)b', 'x*', 'a{2000}']) {
      let error: unknown;
      try {
        checkPatterns(['fine', bad]);
      } catch (caught) {
        error = caught;
      }
      expect(error, bad).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe('validation_failed');
      expect((error as ApiError).message).toContain('body/patterns/1');
      expect((error as ApiError).details).toEqual({ pattern: bad });
    }
    expect(() => checkPatterns(['fine', '(a+)+$', '\\bbad\\b'])).not.toThrow();
  });

  it('refuses patterns that RE2 takes one by one but not together, and compiles such a stored list one pattern at a time', () => {
    // Each repeats the whole Unicode letter class 100 times: under RE2's memory bound alone (measured: 4 fit together, not 5).
    const big = Array.from({ length: 6 }, (_, i) => `${i}\\pL{100}`);
    expect(() => checkPatterns(big.slice(0, 1))).not.toThrow();
    let error: unknown;
    try {
      checkPatterns(big);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toContain('too large together');
    const compiled = compilePatterns(big);
    expect(compiled.length).toBe(6);
    expect(masked([list([], big)], `x 3${'a'.repeat(100)} y`)).toBe('x *** y');
  });

  it('runs a catastrophic-backtracking pattern, (a+)+$ over 50,000 a and a "!", in under 100 ms', () => {
    const text = `${'a'.repeat(50_000)}!`;
    // V8's backtracking engine would take longer than the age of the universe here.
    const [pattern] = compilePatterns(['(a+)+$']);
    if (!pattern) throw new Error('no pattern engine');
    const started = performance.now();
    expect(pattern.test(text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);

    const started2 = performance.now();
    expect(matched([list([], ['(a+)+$', '(a|a)*b', '(.*a){12}x'])], text)).toBe(false);
    expect(performance.now() - started2).toBeLessThan(100);
  });
});

describe('blocklist matching cost', () => {
  it('looks 1,000 words up per token, not per word: 1,000 sends of a 30-word text in well under a second', () => {
    const words = Array.from({ length: 1000 }, (_, i) => `forbidden${i}`);
    const compiled = compileBlocklists([list(words)]);
    const text = 'the quick brown fox jumps over the lazy dog and then some more words to make a message of a usual length, like thirty words or so, with café';
    const started = performance.now();
    for (let i = 0; i < 1000; i++) findMatches(compiled, [true], text);
    const perSend = (performance.now() - started) / 1000;
    expect(perSend).toBeLessThan(0.5);
  });
});
