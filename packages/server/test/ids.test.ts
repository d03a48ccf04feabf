import { describe, expect, it } from 'vitest';
import { randomId, randomToken } from '../src/domain/common/ids.js';

describe('random ids from the pool', () => {
  it('stay distinct and well-formed across many refills of the pool', () => {
    // 12 bytes an id: 5,000 ids draw 60,000 bytes, seven refills of the 8 KiB pool.
    const ids = Array.from({ length: 5000 }, () => randomId('msg'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{16}$/);
    expect(randomToken(9)).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});
