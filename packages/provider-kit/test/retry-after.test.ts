import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from '../src/index.js';

const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const headers = (init: Record<string, string>) => new Headers(init);

describe('parseRetryAfterMs', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterMs(headers({ 'retry-after': '2' }), { now })).toBe(2_000);
    expect(parseRetryAfterMs(headers({ 'retry-after': new Date(now + 5_000).toUTCString() }), { now })).toBe(5_000);
  });

  it('reads X-RateLimit-Reset as epoch seconds, epoch milliseconds, ISO date or seconds-until', () => {
    expect(parseRetryAfterMs(headers({ 'x-ratelimit-reset': String(now / 1000 + 30) }), { now })).toBe(30_000);
    expect(parseRetryAfterMs(headers({ 'x-ratelimit-reset': String(now + 1_500) }), { now })).toBe(1_500);
    expect(parseRetryAfterMs(headers({ 'x-ratelimit-reset': new Date(now + 4_000).toISOString() }), { now })).toBe(
      4_000,
    );
    expect(parseRetryAfterMs(headers({ 'x-ratelimit-reset': '12' }), { now })).toBe(12_000);
  });

  it('prefers Retry-After, caps long waits and ignores junk and past instants', () => {
    expect(parseRetryAfterMs(headers({ 'retry-after': '1', 'x-ratelimit-retry-after': '9' }), { now })).toBe(1_000);
    expect(parseRetryAfterMs(headers({ 'retry-after': '3600' }), { now, maxMs: 60_000 })).toBe(60_000);
    expect(parseRetryAfterMs(headers({ 'retry-after': 'soon' }), { now })).toBeUndefined();
    expect(parseRetryAfterMs(headers({}), { now })).toBeUndefined();
    expect(parseRetryAfterMs(headers({ 'x-ratelimit-reset': String(now / 1000 - 10) }), { now })).toBe(0);
  });
});
