import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodes, isErrorCode, statusOf } from '../src/index.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** Rows of the README's error table: `| \`code\` | 400 | meaning |`. */
function documentedCodes(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const match of readme.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| .+ \|$/gm)) {
    rows.set(match[1] ?? '', Number(match[2]));
  }
  return rows;
}

describe('error codes', () => {
  it('are snake_case and map to 4xx/5xx statuses', () => {
    for (const code of errorCodes) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(statusOf(code)).toBeGreaterThanOrEqual(400);
      expect(statusOf(code)).toBeLessThan(600);
      expect(ERROR_CODES[code].description.length).toBeGreaterThan(10);
    }
  });

  it('are every one documented in the README with its status, and the README documents no other', () => {
    const documented = documentedCodes();
    expect([...documented.keys()].sort()).toEqual([...errorCodes].sort());
    for (const code of errorCodes) expect(documented.get(code), code).toBe(statusOf(code));
  });

  it('isErrorCode accepts the table and nothing else', () => {
    expect(isErrorCode('invalid_token')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('__proto__')).toBe(false);
    expect(isErrorCode(401)).toBe(false);
  });
});
