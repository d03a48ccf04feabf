import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenManager, type UnauthorizedContext } from './tokens.js';

/** An unsigned JWT with the claims the client reads (the server is the one that verifies). */
function jwt(claims: { sub: string; exp: number }): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.signature`;
}

const pairExpiringIn = (seconds: number) => {
  const exp = Math.floor(Date.now() / 1000) + seconds;
  return { token: jwt({ sub: 'ann', exp }), wsToken: jwt({ sub: 'ann', exp }) };
};

afterEach(() => vi.useRealTimers());

describe('TokenManager', () => {
  it('renews ahead of expiry, once, while scheduled', async () => {
    vi.useFakeTimers();
    const provider = vi.fn(async () => pairExpiringIn(3600));
    const tokens = new TokenManager(pairExpiringIn(120), provider, () => undefined);
    expect(tokens.userId).toBe('ann');
    tokens.startSchedule();
    await vi.advanceTimersByTimeAsync(100_000);
    expect(provider).not.toHaveBeenCalled();
    // A tenth of the life (12 s), at least 5 s, before `exp`.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(provider).toHaveBeenCalledTimes(1);
    expect(tokens.isExpired()).toBe(false);
    tokens.stopSchedule();
    await vi.advanceTimersByTimeAsync(4_000_000);
    expect(provider).toHaveBeenCalledTimes(1);
  });

  it('shares one refresh among concurrent callers and answers a stale caller with the new pair', async () => {
    const fresh = pairExpiringIn(3600);
    let release: () => void = () => undefined;
    const provider = vi.fn(() => new Promise<typeof fresh>((resolve) => (release = () => resolve(fresh))));
    const old = pairExpiringIn(60);
    const tokens = new TokenManager(old, provider, () => undefined);
    const calls = Array.from({ length: 5 }, () => tokens.refresh('token_expired', old.token));
    release();
    expect(await Promise.all(calls)).toEqual(Array(5).fill(fresh));
    // Someone who still holds the old token learns of the new one without another refresh.
    expect(await tokens.refresh('token_expired', old.token)).toEqual(fresh);
    expect(provider).toHaveBeenCalledTimes(1);
  });

  it('reports unauthorized when the provider fails, and without a provider', async () => {
    const seen: UnauthorizedContext[] = [];
    const failing = new TokenManager(pairExpiringIn(60), async () => Promise.reject(new Error('no session')), (ctx) => seen.push(ctx));
    await expect(failing.refresh('token_expired')).rejects.toMatchObject({ code: 'token_provider_failed' });
    const bare = new TokenManager(pairExpiringIn(60), undefined, (ctx) => seen.push(ctx));
    await expect(bare.refresh('token_revoked')).rejects.toMatchObject({ status: 401 });
    expect(seen.map((ctx) => ctx.reason)).toEqual(['token_provider_failed', 'token_revoked']);
  });
});
