import { UnreelProviderError, type CallOptions } from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import { RetrySchedule } from './retry-schedule.js';
import { sleep } from './sleep.js';

/**
 * One logical call (a lookup, a restore) through the account's gate, retried on retryable provider errors.
 * Deletions use the batch runner instead, which journals every attempt.
 */
export async function callWithRetry<T>(
  gate: AccountGate,
  call: (options: CallOptions) => Promise<T>,
  shutdown: AbortSignal,
): Promise<T> {
  const { limits } = gate.account;
  const schedule = new RetrySchedule(limits);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await gate.run(call, attempt);
    } catch (error) {
      if (shutdown.aborted || !UnreelProviderError.isInstance(error) || !error.retryable || attempt >= limits.maxAttempts) {
        throw error;
      }
      const delay = schedule.nextDelay(error.retryAfterMs);
      if (error.code === 'RATE_LIMITED') gate.pauseFor(delay);
      else await sleep(delay, shutdown);
    }
  }
}
