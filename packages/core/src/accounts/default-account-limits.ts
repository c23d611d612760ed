import type { VideoProviderV1 } from '@unreel/provider-spec';
import type { AccountLimits } from './account.js';

export function defaultAccountLimits(provider: VideoProviderV1, overrides: Partial<AccountLimits> = {}): AccountLimits {
  const requestsPerSecond = overrides.requestsPerSecond ?? provider.capabilities.requestsPerSecond;
  return {
    concurrency: overrides.concurrency ?? provider.capabilities.maxConcurrency ?? 4,
    ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }),
    callTimeoutMs: overrides.callTimeoutMs ?? 15_000,
    maxAttempts: overrides.maxAttempts ?? 5,
    backoffBaseMs: overrides.backoffBaseMs ?? 200,
    backoffMaxMs: overrides.backoffMaxMs ?? 10_000,
    maxRetryAfterMs: overrides.maxRetryAfterMs ?? 60_000,
  };
}
