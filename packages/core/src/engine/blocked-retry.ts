import { isTransient, type ItemError } from '@unreel/provider-spec';

/** How an operation's items blocked by their provider wait under whenBlocked: WAIT (absent under FAIL). */
export interface BlockedRetry {
  /** Epoch ms: no attempt is planned after this; see EngineOptions.blockedRetryHorizonMs. */
  deadline: number;
  initialMs: number;
  maxMs: number;
}

/**
 * When an item refused with `error` on its `attempts`-th attempt is sent again, or undefined when it ends FAILED now:
 * under FAIL, for an error that cannot succeed later, for a transient one (the batch's own retries had their turn), or
 * when the next attempt would fall beyond the horizon. The provider's time when it gave one still ahead, otherwise an
 * exponential backoff, the same for every item of a batch so that they go again together.
 */
export function nextAttemptOf(
  policy: BlockedRetry | undefined,
  error: ItemError,
  attempts: number,
  at: Date,
): Date | undefined {
  if (!policy || !error.retryable || isTransient(error)) return undefined;
  const now = at.getTime();
  const told = error.retryAfter?.getTime();
  const next =
    told !== undefined && told > now
      ? told
      : now + Math.min(policy.initialMs * 2 ** Math.max(0, attempts - 1), policy.maxMs);
  return next <= policy.deadline ? new Date(next) : undefined;
}

/**
 * An item error as the journal keeps it: `retryAfter` only as a valid Date, and, for a retryable error that said only
 * how long to wait (Retry-After), the time that makes, so that a client reads one field for "from when".
 */
export function journaledError(error: ItemError, at: Date): ItemError {
  const { retryAfter, ...rest } = error;
  if (retryAfter instanceof Date && !Number.isNaN(retryAfter.getTime())) return { ...rest, retryAfter };
  if (error.retryable && error.retryAfterMs !== undefined && error.retryAfterMs > 0)
    return { ...rest, retryAfter: new Date(at.getTime() + error.retryAfterMs) };
  return rest;
}
