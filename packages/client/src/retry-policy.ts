import { abortedError, UnreelClientError } from './client-error.js';

/**
 * How the helpers wait between attempts after a network failure or a closed socket. Delays grow by `factor` from
 * `initialDelayMs` up to `maxDelayMs`, each drawn between half and all of that (jitter: after a server restart, many
 * tabs do not all come back in the same millisecond).
 */
export interface RetryOptions {
  /** The first delay, in milliseconds. Default 250. */
  initialDelayMs?: number;
  /** The longest delay, in milliseconds. Default 10,000. */
  maxDelayMs?: number;
  /** How much each delay grows over the one before. Default 2. */
  factor?: number;
  /**
   * Failed attempts in a row before giving up with the last error (code `NETWORK`): requests that got no answer, or
   * subscriptions that ended without delivering an event. Default `Infinity`: keep trying until the operation is
   * final or the caller's signal aborts.
   */
  maxAttempts?: number;
}

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  /** 1 for the first retry after a failure, counting up while failures follow each other. */
  attempt: number;
  /** How long the helper waits before the next attempt, in milliseconds. */
  delayMs: number;
  /** Why the last attempt failed (`closeCode` and `closeReason` for a socket). */
  error: UnreelClientError;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

const defaults: ResolvedRetryOptions = { initialDelayMs: 250, maxDelayMs: 10_000, factor: 2, maxAttempts: Infinity };

export function resolveRetryOptions(options: RetryOptions | undefined): ResolvedRetryOptions {
  const resolved = { ...defaults, ...options };
  const check = (name: keyof RetryOptions, valid: boolean, rule: string): void => {
    if (!valid)
      throw new UnreelClientError('BAD_REQUEST', `retry.${name} must be ${rule}, got ${String(resolved[name])}`, {
        field: `retry.${name}`,
      });
  };
  check('initialDelayMs', Number.isFinite(resolved.initialDelayMs) && resolved.initialDelayMs >= 0, 'a number >= 0');
  check(
    'maxDelayMs',
    Number.isFinite(resolved.maxDelayMs) && resolved.maxDelayMs >= resolved.initialDelayMs,
    'a number >= initialDelayMs',
  );
  check('factor', Number.isFinite(resolved.factor) && resolved.factor >= 1, 'a number >= 1');
  check(
    'maxAttempts',
    resolved.maxAttempts === Infinity || (Number.isInteger(resolved.maxAttempts) && resolved.maxAttempts >= 1),
    'a whole number >= 1 or Infinity',
  );
  return resolved;
}

/** The wait before retry number `attempt` (1-based). */
export function retryDelay(attempt: number, options: ResolvedRetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves after `ms`, or rejects with ABORTED as soon as the signal fires. */
export function waitOrAbort(ms: number, signal: AbortSignal | undefined, operationId?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(operationId, signal.reason));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(operationId, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
