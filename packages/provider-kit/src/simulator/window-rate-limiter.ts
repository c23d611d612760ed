export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, ms since the epoch: what X-RateLimit-Reset headers describe. */
  resetAtMs: number;
  /** 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Fixed-window counter per key, the model behind the X-RateLimit-Limit/Remaining/Reset headers the simulated
 * providers document. Windows are aligned to multiples of `windowMs`.
 */
export class WindowRateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(options: { limit: number; windowMs: number; now?: () => number }) {
    if (!(options.limit > 0) || !(options.windowMs > 0)) {
      throw new RangeError('WindowRateLimiter needs a positive limit and windowMs');
    }
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
  }

  take(key = 'default'): RateLimitDecision {
    const now = this.now();
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

  private refusal(now: number): RateLimitDecision {
    const resetAtMs = now - (now % this.windowMs) + this.windowMs;
    return { allowed: false, limit: this.limit, remaining: 0, resetAtMs, retryAfterMs: resetAtMs - now };
  }
}
