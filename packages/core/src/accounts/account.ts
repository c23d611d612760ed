import type { VideoProviderV1 } from '@unreel/provider-spec';
import type { WhenBlocked } from '../model/operation.js';

export interface AccountLimits {
  /** Calls in flight at once for this account. */
  concurrency: number;
  /** Calls started per second; undefined = unlimited. */
  requestsPerSecond?: number | undefined;
  /**
   * Lower `requestsPerSecond` to what the provider really accepts when it throttles below it (see AdaptiveRate), and
   * raise it back after quiet periods. Default true; false keeps the configured rate whatever the provider says.
   */
  learnRate: boolean;
  /** Abort a single provider call after this long. */
  callTimeoutMs: number;
  /** Attempts per batch before an item is FAILED with the last retryable error. */
  maxAttempts: number;
  /** Backoff base and cap (full jitter). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Upper bound on a provider-requested wait (Retry-After). */
  maxRetryAfterMs: number;
}

/** One configured provider account: the unit of batching, rate limits and isolation. */
export interface Account {
  name: string;
  /** Plugin id, e.g. `sandbox`, `api-video`. */
  pluginId: string;
  provider: VideoProviderV1;
  limits: AccountLimits;
  /** `deleteDelay` in ms: deletions wait SCHEDULED this long and can be undone. 0 = off. */
  deleteDelayMs: number;
  /** What becomes of items the provider refuses for now, when a request does not say; default FAIL. */
  whenBlocked?: WhenBlocked | undefined;
}
