import type { VideoProviderV1 } from '@unreel/provider-spec';
import type { AccountLimits } from './account.js';

/** What a config may set of an account's limits; a limit left out (or undefined) comes from the provider. */
export type AccountLimitOverrides = { [K in keyof AccountLimits]?: AccountLimits[K] | undefined };

export function defaultAccountLimits(provider: VideoProviderV1, overrides: AccountLimitOverrides = {}): AccountLimits {
  const requestsPerSecond = overrides.requestsPerSecond ?? provider.capabilities.requestsPerSecond;
  return {
    concurrency: overrides.concurrency ?? provider.capabilities.maxConcurrency ?? 4,
    ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }),
    learnRate: overrides.learnRate ?? true,
    callTimeoutMs: overrides.callTimeoutMs ?? 15_000,
    maxAttempts: overrides.maxAttempts ?? 5,
    backoffBaseMs: overrides.backoffBaseMs ?? 200,
    backoffMaxMs: overrides.backoffMaxMs ?? 10_000,
    maxRetryAfterMs: overrides.maxRetryAfterMs ?? 60_000,
  };
}
