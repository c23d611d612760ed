import { describe, expect, it } from 'vitest';
import { AdaptiveRate, type RateTicket } from '../src/accounts/adaptive-rate.js';
import { RateWindowLimiter, rateWindow } from '../src/accounts/rate-window-limiter.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** `count` calls started `everyMs` apart, each accepted by the provider. */
function acceptCalls(rate: AdaptiveRate, clock: ReturnType<typeof manualClock>, count: number, everyMs: number): void {
  for (let call = 0; call < count; call += 1) {
    rate.acceptedCall(rate.start().ticket);
    clock.advance(everyMs);
  }
}

describe('AdaptiveRate', () => {
  it('lowers the rate to what the provider accepted in the second before a throttle', () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({ ceiling: 30, now: clock.now });
    expect(rate.requestsPerSecond).toBe(30);
    acceptCalls(rate, clock, 5, 100);
    const { ticket } = rate.start();
    expect(rate.throttled(ticket)).toMatchObject({ from: 30, to: 5, reason: 'throttled' });
    expect(rate.requestsPerSecond).toBe(5);
  });

  it('counts a burst of throttles from calls already in flight once', () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({ ceiling: 20, now: clock.now });
    acceptCalls(rate, clock, 12, 50);
    const inFlight: RateTicket[] = [rate.start().ticket, rate.start().ticket, rate.start().ticket];
    expect(rate.throttled(inFlight[0]!)?.to).toBe(12);
    expect(rate.throttled(inFlight[1]!)).toBeUndefined();
    expect(rate.throttled(inFlight[2]!)).toBeUndefined();
    expect(rate.requestsPerSecond).toBe(12);
    // A call started after the change that is throttled too is news: the new rate is still too high.
    expect(rate.throttled(rate.start().ticket)?.to).toBe(10);
  });

  it('measures again as calls in flight at the throttle are accepted, within the decrease', () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({ ceiling: 300, now: clock.now });
    acceptCalls(rate, clock, 6, 10);
    // Four more started in the same second, still in flight when the throttle of the eleventh answers.
    const inFlight = [rate.start().ticket, rate.start().ticket, rate.start().ticket, rate.start().ticket];
    clock.advance(5);
    expect(rate.throttled(rate.start().ticket)?.to).toBe(6);
    expect(rate.acceptedCall(inFlight[0]!)).toMatchObject({ from: 6, to: 7, reason: 'measured' });
    expect(rate.acceptedCall(inFlight[1]!)?.to).toBe(8);
    expect(rate.throttled(inFlight[2]!)).toBeUndefined();
    expect(rate.acceptedCall(inFlight[3]!)?.to).toBe(9);
    // A call started after the decrease is no news about the second before it.
    expect(rate.acceptedCall(rate.start().ticket)).toBeUndefined();
    expect(rate.requestsPerSecond).toBe(9);
  });

  it('replaces a blind halving by the measure once a call in flight is accepted', () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({ ceiling: 30, now: clock.now });
    const inFlight = [rate.start().ticket, rate.start().ticket];
    expect(rate.throttled(rate.start().ticket)?.to).toBe(15);
    expect(rate.acceptedCall(inFlight[0]!)).toMatchObject({ from: 15, to: 1, reason: 'measured' });
    expect(rate.acceptedCall(inFlight[1]!)?.to).toBe(2);
  });

  it('lowers by at least a tenth, and halves when nothing was accepted to measure', () => {
    const clock = manualClock();
    const measured = new AdaptiveRate({ ceiling: 10, now: clock.now });
    acceptCalls(measured, clock, 10, 99);
    expect(measured.throttled(measured.start().ticket)?.to).toBe(9);
    const blind = new AdaptiveRate({ ceiling: 10, now: clock.now });
    expect(blind.throttled(blind.start().ticket)?.to).toBe(5);
  });

  it('goes below one call a second as one call every whole number of seconds, never below one a minute', () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({ ceiling: 2, now: clock.now });
    const rates: number[] = [];
    for (let throttle = 0; throttle < 12; throttle += 1) {
      rate.throttled(rate.start().ticket);
      rates.push(rate.requestsPerSecond);
    }
    expect(rates).toEqual([1, 1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 60, 1 / 60, 1 / 60, 1 / 60, 1 / 60, 1 / 60]);
  });

  it('raises the rate a step after each quiet period, never above the ceiling', () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({ ceiling: 6.5, now: clock.now, quietMs: 10_000 });
    rate.throttled(rate.start().ticket);
    expect(rate.requestsPerSecond).toBe(3);
    clock.advance(9_999);
    expect(rate.start().change).toBeUndefined();
    clock.advance(1);
    expect(rate.start().change).toMatchObject({ from: 3, to: 4, reason: 'recovered' });
    const steps: number[] = [];
    for (let period = 0; period < 4; period += 1) {
      clock.advance(10_000);
      rate.start();
      steps.push(rate.requestsPerSecond);
    }
    expect(steps).toEqual([5, 6, 6.5, 6.5]);
  });

  it('climbs back from one call every few seconds one period at a time', () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({
      ceiling: 30,
      now: clock.now,
      quietMs: 10_000,
      learned: { requestsPerSecond: 1 / 4, at: clock.now() },
    });
    const steps: { after: number; rate: number }[] = [];
    let since = clock.now();
    while (steps.length < 5) {
      clock.advance(1_000);
      if (!rate.start().change) continue;
      steps.push({ after: clock.now() - since, rate: rate.requestsPerSecond });
      since = clock.now();
    }
    // Each quiet period lasts 30 calls at the rate it ends (two minutes at one call every four seconds), at least 10 s.
    expect(steps).toEqual([
      { after: 120_000, rate: 1 / 3 },
      { after: 90_000, rate: 1 / 2 },
      { after: 60_000, rate: 1 },
      { after: 30_000, rate: 2 },
      { after: 15_000, rate: 3 },
    ]);
  });

  it('waits twice as long before the next step up after one that was throttled, and resets once a step holds', () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({ ceiling: 30, now: clock.now, quietMs: 1_000, quietCalls: 0, maxQuietMs: 4_000 });
    acceptCalls(rate, clock, 10, 100);
    rate.throttled(rate.start().ticket);
    expect(rate.requestsPerSecond).toBe(10);
    const throttledStepUp = (): number => {
      const started = clock.now();
      while (rate.start().change === undefined) clock.advance(100);
      const waited = clock.now() - started;
      acceptCalls(rate, clock, 10, 10);
      rate.throttled(rate.start().ticket);
      return waited;
    };
    // The quota is 10: every step to 11 is throttled back to 10, each after twice the wait of the one before, up to
    // the cap; the first after twice the base already, as the throttle that measured 10 refused the 11th.
    expect([throttledStepUp(), throttledStepUp(), throttledStepUp(), throttledStepUp()]).toEqual([
      2_000, 4_000, 4_000, 4_000,
    ]);
    expect(rate.requestsPerSecond).toBe(10);
    // A step that holds for a whole quiet period makes the next one come after the base period again.
    clock.advance(4_000);
    expect(rate.start().change?.to).toBe(11);
    clock.advance(4_000);
    expect(rate.start().change?.to).toBe(12);
    clock.advance(1_000);
    expect(rate.start().change?.to).toBe(13);
  });

  it("at one call a second, waits twice 30 calls' worth before probing the rate a throttle just refused", () => {
    const clock = manualClock();
    const rate = new AdaptiveRate({ ceiling: 30, now: clock.now });
    // A first burst against a quota of one a second: one accepted, the next refused.
    const first = rate.start().ticket;
    const second = rate.start().ticket;
    clock.advance(20);
    rate.acceptedCall(first);
    expect(rate.throttled(second)).toMatchObject({ from: 30, to: 1 });
    const stepUpAfter = (): number => {
      const since = clock.now();
      while (rate.start().change === undefined) clock.advance(1_000);
      return clock.now() - since;
    };
    // 30 calls' worth at one a second is 30 s; the step to 2 is what was just refused.
    expect(stepUpAfter()).toBe(60_000);
    expect(rate.requestsPerSecond).toBe(2);
    acceptCalls(rate, clock, 1, 400);
    expect(rate.throttled(rate.start().ticket)).toMatchObject({ from: 2, to: 1 });
    // Refused again: twice as long, the calls' worth doubled with it.
    expect(stepUpAfter()).toBe(120_000);
  });

  it('starts from a learned rate, within the ceiling, its quiet period counted from when it was learned', () => {
    const clock = manualClock();
    const learnedAt = clock.now() - 60_000;
    const learned = new AdaptiveRate({ ceiling: 30, now: clock.now, learned: { requestsPerSecond: 7, at: learnedAt } });
    expect(learned.requestsPerSecond).toBe(7);
    // Learned a minute ago: longer than the quiet period (10 s, or 30 calls at 7 a second), so the first call steps up.
    expect(learned.start().change).toMatchObject({ from: 7, to: 8 });
    const capped = new AdaptiveRate({ ceiling: 4, now: clock.now, learned: { requestsPerSecond: 7, at: learnedAt } });
    expect(capped.requestsPerSecond).toBe(4);
    expect(() => new AdaptiveRate({ ceiling: 0, now: clock.now })).toThrow(/positive, finite ceiling, got 0/);
  });
});

describe('RateWindowLimiter', () => {
  /**
   * A limiter on a clock that only its own waits move: the test reads exactly when each call may start. Each call
   * answers `latencyMs` after it starts (undefined: it is still in flight).
   */
  function limiterOnManualClock(requestsPerSecond: number) {
    const clock = manualClock(0);
    const limiter = new RateWindowLimiter(requestsPerSecond, {
      now: clock.now,
      sleep: async (ms) => clock.advance(ms),
    });
    const starts = async (count: number, latencyMs?: number): Promise<number[]> => {
      const signal = new AbortController().signal;
      const times: number[] = [];
      for (let call = 0; call < count; call += 1) {
        const answered = await limiter.acquire(signal);
        const start = clock.now();
        times.push(start);
        if (latencyMs !== undefined) {
          clock.advance(latencyMs);
          answered();
          clock.advance(-latencyMs);
        }
      }
      return times;
    };
    return { limiter, starts };
  }

  it('lets a whole rate go as that many calls per second, each window counted from when its calls answered', async () => {
    const { starts } = limiterOnManualClock(3);
    expect(await starts(7, 30)).toEqual([0, 0, 0, 1_030, 1_030, 1_030, 2_060]);
  });

  it('counts a call still in flight, or slower than a window, for two windows at most', async () => {
    expect(await limiterOnManualClock(3).starts(4)).toEqual([0, 0, 0, 2_000]);
    expect(await limiterOnManualClock(3).starts(4, 1_500)).toEqual([0, 0, 0, 2_000]);
  });

  it('spaces a fractional rate one call per period, counting a call a fifth of a period at most', async () => {
    expect(rateWindow(0.5)).toEqual({ calls: 1, windowMs: 2_000, marginMs: 400 });
    expect(rateWindow(7)).toEqual({ calls: 7, windowMs: 1_000, marginMs: 1_000 });
    const perMinute = rateWindow(200 / 60);
    expect([perMinute.calls, perMinute.windowMs, perMinute.marginMs]).toEqual([
      1,
      expect.closeTo(300),
      expect.closeTo(60),
    ]);
    const { starts } = limiterOnManualClock(0.25);
    expect(await starts(3, 10)).toEqual([0, 4_010, 8_020]);
  });

  it('keeps calls already waiting to a rate lowered meanwhile, and holds them all through a pause', async () => {
    const { limiter, starts } = limiterOnManualClock(4);
    expect(await starts(4, 0)).toEqual([0, 0, 0, 0]);
    limiter.setRate(2);
    limiter.pauseFor(3_000);
    // The starts at 0 leave the window at 1,000, but the pause holds until 3,000.
    expect(await starts(3, 0)).toEqual([3_000, 3_000, 4_000]);
  });

  it('lets the next call go a window after the one before it answered, not after its margin, while it waits', async () => {
    // Timers that fire only when the test moves the clock, or when the wait's signal aborts.
    let now = 0;
    const timers: { at: number; fire: () => void }[] = [];
    const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
      new Promise((resolve) => {
        const timer = { at: now + ms, fire: resolve };
        timers.push(timer);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    const moveTo = (at: number): void => {
      now = at;
      for (const timer of timers.filter((each) => each.at <= now)) timer.fire();
    };
    const limiter = new RateWindowLimiter(1, { now: () => now, sleep });
    const signal = new AbortController().signal;
    const answerFirst = await limiter.acquire(signal);
    const starts: number[] = [];
    const second = limiter.acquire(signal).then((answered) => {
      starts.push(now);
      return answered;
    });
    // The second call waits while the first is in flight: counted until its margin, it would hold it until 2,000.
    await expect.poll(() => timers.length).toBe(1);
    moveTo(40);
    answerFirst();
    // The answer ends that wait; the place frees a window after the answer.
    await expect.poll(() => timers.length).toBe(2);
    moveTo(1_040);
    await second;
    expect(starts).toEqual([1_040]);
  });

  it('lets a call go at once, uncounted, when its signal is aborted', async () => {
    const limiter = new RateWindowLimiter(1);
    const open = new AbortController();
    await limiter.acquire(open.signal);
    const aborted = AbortSignal.abort();
    await expect(limiter.acquire(aborted)).resolves.toBeTypeOf('function');
  });
});
