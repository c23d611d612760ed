import { describe, expect, it } from 'vitest';
import { formatDuration, formatRate, RateMeter } from '../src/cli/rate-meter.js';

describe('RateMeter', () => {
  it('knows no rate before two samples apart in time', () => {
    let now = 1_000;
    const meter = new RateMeter(() => now);
    expect(meter.rate()).toBeUndefined();
    meter.record(5);
    expect(meter.rate()).toBeUndefined();
    meter.record(6);
    expect(meter.rate()).toBeUndefined();
    now += 500;
    meter.record(10);
    expect(meter.rate()).toBe(10);
    expect(meter.etaMs(20)).toBe(1_000);
  });

  it('follows the last window: a slowdown shows in the rate and the ETA', () => {
    let now = 0;
    const meter = new RateMeter(() => now, 10_000);
    for (let second = 0; second <= 20; second += 1) {
      now = second * 1_000;
      meter.record(second * 100);
    }
    expect(meter.rate()).toBe(100);
    // Throttled: ten items a second from here on.
    for (let second = 21; second <= 40; second += 1) {
      now = second * 1_000;
      meter.record(2_000 + (second - 20) * 10);
    }
    expect(meter.rate()).toBe(10);
    expect(meter.etaMs(2_300)).toBe(10_000);
  });

  it('has no ETA while nothing moves', () => {
    let now = 0;
    const meter = new RateMeter(() => now);
    meter.record(3);
    now = 5_000;
    meter.record(3);
    expect(meter.rate()).toBe(0);
    expect(meter.etaMs(10)).toBeUndefined();
  });
});

describe('formatting', () => {
  it('writes durations and rates short', () => {
    expect(formatDuration(undefined)).toBe('--');
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
    expect(formatRate(undefined)).toBe('--/s');
    expect(formatRate(2.345)).toBe('2.3/s');
    expect(formatRate(123.6)).toBe('124/s');
  });
});
