import { UnreelProviderError, isTransient, type CallOptions } from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import type { EngineObserver, ProviderMethod } from './engine-observer.js';
import { RetrySchedule } from './retry-schedule.js';

export interface RetryContext {
  shutdown: AbortSignal;
  observer: EngineObserver;
}

/**
 * One logical call (a lookup, a restore) through the account's gate, retried on transient provider errors (see
 * isTransient: a plugin that sets only `retryable` means that).
 * Deletions use the batch runner instead, which journals every attempt.
 */
export async function callWithRetry<T>(
  gate: AccountGate,
  method: ProviderMethod,
  call: (options: CallOptions) => Promise<T>,
  { shutdown, observer }: RetryContext,
): Promise<T> {
  const { limits } = gate.account;
  const schedule = new RetrySchedule(limits);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await gate.run(method, call, attempt);
    } catch (error) {
      if (
        shutdown.aborted ||
        !UnreelProviderError.isInstance(error) ||
        !isTransient(error) ||
        attempt >= limits.maxAttempts
      ) {
        throw error;
      }
      observer.retry({
        account: gate.account.name,
        provider: gate.account.provider.provider,
        method,
        code: error.code,
      });
      await gate.waitToRetry(schedule.nextDelay(error.retryAfterMs), error.code === 'RATE_LIMITED');
    }
  }
}
