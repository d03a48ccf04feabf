import { describe, expect, it } from 'vitest';
import { decodeBase64Url, readClaims } from './util.js';

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('readClaims', () => {
  it('reads a JWT payload, base64url or base64, as UTF-8', () => {
    const payload = JSON.stringify({ sub: 'ann', exp: 1_900_000_000, name: 'Zoë 😀' });
    const token = `e30.${base64url(payload)}.sig`;
    expect(readClaims(token)).toEqual({ sub: 'ann', exp: 1_900_000_000, name: 'Zoë 😀' });
    for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'ü€😀 mixed', '\u0000\u007f']) {
      expect(decodeBase64Url(base64url(text))).toBe(text);
      expect(decodeBase64Url(Buffer.from(text).toString('base64'))).toBe(text);
    }
  });

  it('answers undefined for opaque or broken tokens', () => {
    expect(readClaims('opaque-token')).toBeUndefined();
    expect(readClaims('a.not base64!.c')).toBeUndefined();
    expect(readClaims(`a.${Buffer.from([0xff, 0xfe]).toString('base64url')}.c`)).toBeUndefined();
  });
});
