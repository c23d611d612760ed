export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, ms since the epoch: what X-RateLimit-Reset headers describe. */
  resetAtMs: number;
  /** 0 when allowed. */
  retryAfterMs: number;
}

export interface WindowRateLimiterOptions {
  limit: number;
  windowMs: number;
  /**
   * Count a rolling window at arrival (at most `limit` accepted in any `windowMs`, as ApsaraVideo's per-second QPS
   * quota behaves) instead of fixed windows aligned to multiples of `windowMs`. A client that spaces its calls at
   * exactly the limit is refused here as soon as network jitter brings two of them closer. Default false.
   */
  rolling?: boolean;
  now?: () => number;
}

/**
 * Counter per key, the model behind the X-RateLimit-Limit/Remaining/Reset headers the simulated providers document:
 * fixed windows aligned to multiples of `windowMs` by default, or a rolling window (`rolling`). Refused requests are
 * not counted.
 */
export class WindowRateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly rolling: boolean;
  private readonly now: () => number;
  private readonly windows = new Map<string, { start: number; count: number }>();
  /** Rolling mode: arrival times of the requests accepted within the last window, oldest first. */
  private readonly arrivals = new Map<string, number[]>();

  constructor(options: WindowRateLimiterOptions) {
    if (!(options.limit > 0) || !(options.windowMs > 0)) {
      throw new RangeError('WindowRateLimiter needs a positive limit and windowMs');
    }
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.rolling = options.rolling ?? false;
    this.now = options.now ?? Date.now;
  }

  take(key = 'default'): RateLimitDecision {
    const now = this.now();
    if (this.rolling) return this.takeRolling(key, now);
    const start = now - (now % this.windowMs);
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return this.refusal(now);
    window.count += 1;
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - window.count,
      resetAtMs: start + this.windowMs,
      retryAfterMs: 0,
    };
  }

  /**
   * A refusal as the counter would give it now, without counting anything: what a planned throttle (`failNext`)
   * answers, so its headers look like the real limit's, nothing left until the current window ends.
   */
  exhausted(): RateLimitDecision {
    return this.refusal(this.now());
  }

  private takeRolling(key: string, now: number): RateLimitDecision {
    let arrivals = this.arrivals.get(key);
    if (!arrivals) {
      arrivals = [];
      this.arrivals.set(key, arrivals);
    }
    while (arrivals.length > 0 && (arrivals[0] as number) <= now - this.windowMs) arrivals.shift();
    if (arrivals.length >= this.limit) {
      // Room again once the oldest arrival leaves the window.
      const resetAtMs = (arrivals[arrivals.length - this.limit] as number) + this.windowMs;
      return { allowed: false, limit: this.limit, remaining: 0, resetAtMs, retryAfterMs: resetAtMs - now };
    }
    arrivals.push(now);
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - arrivals.length,
      resetAtMs: (arrivals[0] as number) + this.windowMs,
      retryAfterMs: 0,
    };
  }

  private refusal(now: number): RateLimitDecision {
    const resetAtMs = now - (now % this.windowMs) + this.windowMs;
    return { allowed: false, limit: this.limit, remaining: 0, resetAtMs, retryAfterMs: resetAtMs - now };
  }
}
