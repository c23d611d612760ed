import type { ItemError } from './errors/unreel-provider-error.js';

/**
 * Whether the host may repeat a failed call now (with backoff): `transient` where the plugin said, otherwise
 * `retryable`, which is all a plugin written before `transient` existed says, so it keeps the host's behaviour it had.
 * Reads any copy of the error classes, or plain `ItemError` data.
 */
export function isTransient(error: Pick<ItemError, 'retryable' | 'transient'>): boolean {
  return error.transient ?? error.retryable;
}
