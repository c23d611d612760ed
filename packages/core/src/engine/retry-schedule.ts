import { ExponentialBackoff, fullJitterGenerator, type IBackoff } from 'cockatiel';
import type { AccountLimits } from '../accounts/account.js';

/**
 * Exponential backoff with full jitter (cockatiel's generator), where a provider's own hint (Retry-After and
 * friends) is a floor: we never come back sooner than we were told to, and never later than the cap.
 */
export class RetrySchedule {
  private backoff: IBackoff<unknown>;
  private readonly maxRetryAfterMs: number;

  constructor(limits: AccountLimits) {
    this.backoff = new ExponentialBackoff({
      generator: fullJitterGenerator,
      initialDelay: limits.backoffBaseMs,
      maxDelay: limits.backoffMaxMs,
    }).next();
    this.maxRetryAfterMs = limits.maxRetryAfterMs;
  }

  nextDelay(retryAfterMs: number | undefined): number {
    const jittered = this.backoff.duration;
    this.backoff = this.backoff.next(undefined);
    const hinted = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, this.maxRetryAfterMs);
    return Math.max(jittered, hinted);
  }
}
