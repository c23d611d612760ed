import { WindowRateLimiter } from '@unreel/provider-kit/simulator';

export type RequestKind = 'read' | 'write';

/**
 * Documented requests per minute (providers.md §2.6): writes 200 in production and 40 in the sandbox, reads 500 and
 * 100. Uploads have their own budget, but the simulator serves no upload endpoint.
 */
export const DOCUMENTED_LIMITS = {
  production: { write: 200, read: 500 },
  sandbox: { write: 40, read: 100 },
} as const;

export interface RateLimitConfig {
  /** Write budget per window (DELETE, PATCH, POST). */
  limit: number;
  windowMs: number;
  /** Read budget per window (GET); default 2.5 × `limit`, the documented ratio. */
  readLimit?: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  headers: Record<string, string>;
}

/**
 * Two fixed windows per API key, one for reads and one for writes, and the three `X-RateLimit-*` headers the OAS
 * declares on every response of a rate-limited endpoint.
 */
export class ApiVideoRateLimits {
  private readonly limiters: Record<RequestKind, WindowRateLimiter>;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(config: RateLimitConfig, now: () => number) {
    this.windowMs = config.windowMs;
    this.now = now;
    this.limiters = {
      write: new WindowRateLimiter({ limit: config.limit, windowMs: config.windowMs, now }),
      read: new WindowRateLimiter({
        limit: config.readLimit ?? Math.round(config.limit * 2.5),
        windowMs: config.windowMs,
        now,
      }),
    };
  }

  take(kind: RequestKind, key: string): RateLimitVerdict {
    const decision = this.limiters[kind].take(`${kind}:${key}`);
    return {
      allowed: decision.allowed,
      headers: this.headers(decision.limit, decision.remaining, decision.resetAtMs - this.now()),
    };
  }

  /** What a throttled answer says, for a planned throttle that did not come from the counter. */
  exhaustedHeaders(kind: RequestKind): Record<string, string> {
    const decision = this.limiters[kind].exhausted();
    return this.headers(decision.limit, decision.remaining, decision.retryAfterMs);
  }

  private headers(limit: number, remaining: number, resetInMs: number): Record<string, string> {
    return {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Retry-After': this.seconds(resetInMs),
    };
  }

  /**
   * Whole seconds, as documented. A window scaled below whole seconds (benchmarks) would round every wait up to a
   * second, so only then the header carries milliseconds as a decimal.
   */
  private seconds(ms: number): string {
    if (this.windowMs % 1_000 === 0) return String(Math.ceil(ms / 1_000));
    return (Math.max(0, ms) / 1_000).toFixed(3);
  }
}
