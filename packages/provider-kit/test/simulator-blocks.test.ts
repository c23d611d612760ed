import { describe, expect, it } from 'vitest';
import { WindowRateLimiter, parseAuthorization, retryAfterDate, retryAfterSeconds } from '../src/simulator/index.js';

const basic = (pair: string): string => `Basic ${Buffer.from(pair).toString('base64')}`;

describe('parseAuthorization', () => {
  it('reads Basic user:password and Bearer tokens, the scheme in any case', () => {
    expect(parseAuthorization(basic('id:se:cret'))).toEqual({ scheme: 'basic', username: 'id', password: 'se:cret' });
    expect(parseAuthorization(`bASIC ${Buffer.from('key:').toString('base64')}`)).toEqual({
      scheme: 'basic',
      username: 'key',
      password: '',
    });
    expect(parseAuthorization(basic('only-a-key'))).toEqual({ scheme: 'basic', username: 'only-a-key', password: '' });
    expect(parseAuthorization('Bearer tok.en-1 ')).toEqual({ scheme: 'bearer', token: 'tok.en-1' });
  });

  it('gives nothing for a missing, malformed or other-scheme header', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Basic',
      'Bearer a b',
      'Basic not*base64',
      'Digest abc',
      'token-alone',
    ]) {
      expect(parseAuthorization(header), String(header)).toBeUndefined();
    }
  });
});

describe('Retry-After values', () => {
  it('rounds a wait up to whole seconds, never below one', () => {
    expect([0, 1, 999, 1_000, 1_001, 44_750].map(retryAfterSeconds)).toEqual([1, 1, 1, 1, 2, 45]);
  });

  it('writes an HTTP date rounded up to the next whole second', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
    expect(retryAfterDate(1_000, now)).toBe('Thu, 01 Jan 2026 12:00:02 GMT');
  });
});

describe('WindowRateLimiter', () => {
  it('describes a refusal of the current window without counting one', () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 15, 250);
    const limiter = new WindowRateLimiter({ limit: 2, windowMs: 60_000, now: () => now });
    const resetAtMs = Date.UTC(2026, 0, 1, 12, 1, 0);
    expect(limiter.exhausted()).toEqual({
      allowed: false,
      limit: 2,
      remaining: 0,
      resetAtMs,
      retryAfterMs: resetAtMs - now,
    });
    expect([limiter.take().allowed, limiter.take().allowed, limiter.take().allowed]).toEqual([true, true, false]);
    expect(limiter.take()).toEqual(limiter.exhausted());
    now = resetAtMs;
    expect(limiter.take()).toMatchObject({ allowed: true, remaining: 1 });
  });
});

describe('WindowRateLimiter, rolling', () => {
  it('accepts at most the limit in any rolling window, counting accepted arrivals only', () => {
    let now = 10_000;
    const limiter = new WindowRateLimiter({ limit: 3, windowMs: 1_000, rolling: true, now: () => now });
    const take = (at: number): boolean => {
      now = at;
      return limiter.take().allowed;
    };
    // A fixed window would start over at 11,000; a rolling one still holds the three arrivals since 10,100.
    expect([take(10_100), take(10_600), take(10_990), take(11_050)]).toEqual([true, true, true, false]);
    expect(limiter.take()).toMatchObject({ allowed: false, remaining: 0, resetAtMs: 11_100, retryAfterMs: 50 });
    expect([take(11_100), take(11_101)]).toEqual([true, false]);
    expect(limiter.take('another key')).toMatchObject({ allowed: true, remaining: 2 });
  });
});
