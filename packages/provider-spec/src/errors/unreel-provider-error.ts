const marker = 'unreel.provider.error';
const symbol = Symbol.for(marker);

/**
 * Stable, machine-readable reasons a provider call or a single item failed. Frontends switch on
 * these, so a code is never renamed; new ones may be added.
 */
export type ProviderErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'IN_PROCESSING'
  | 'TOO_RECENT'
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'PROVIDER_ERROR'
  | 'INVALID_REQUEST'
  | 'INVALID_RESPONSE'
  | 'NOT_RESTORABLE'
  | 'RESTORE_WINDOW_EXPIRED'
  | (string & {});

export interface ProviderErrorOptions {
  message: string;
  /**
   * Whether trying again may succeed: now or later. On its own it also means `transient` (the host repeats the call
   * now, with backoff), which is what it meant before `transient` existed; see `isTransient`.
   */
  retryable?: boolean | undefined;
  /**
   * Whether the call failed transiently (throttled, timed out, a 5xx): the host may repeat it now, with backoff.
   * Default: `retryable`. Set `retryable: true, transient: false` for a refusal that holds for now but not forever
   * (a video still processing, or too recent to delete): the host does not hammer the provider, and reports the item
   * as retryable later (or waits for it, when the caller asked to: `whenBlocked: WAIT`).
   */
  transient?: boolean | undefined;
  /** How long the provider asked us to wait before the next attempt (Retry-After and friends). */
  retryAfterMs?: number | undefined;
  /** When the provider says trying again may succeed (a processing ETA, the end of a waiting period), when it says. */
  retryAfter?: Date | undefined;
  /** The HTTP status the provider answered with, when there was one. */
  status?: number | undefined;
  cause?: unknown;
}

/**
 * Base of every error a plugin throws. Recognised with `isInstance`, which checks a
 * `Symbol.for` marker, because a host and a plugin may each load their own copy of this package
 * and `instanceof` would then say no.
 */
export class UnreelProviderError extends Error {
  private readonly [symbol] = true;
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;
  readonly retryAfter: Date | undefined;
  readonly status: number | undefined;

  constructor(code: ProviderErrorCode, options: ProviderErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UnreelProviderError';
    this.code = code;
    // A transient failure may also succeed later: `transient: true` alone implies `retryable`.
    this.retryable = (options.retryable ?? false) || options.transient === true;
    this.transient = options.transient ?? this.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.retryAfter = options.retryAfter;
    this.status = options.status;
  }

  static isInstance(error: unknown): error is UnreelProviderError {
    return UnreelProviderError.hasMarker(error, marker);
  }

  protected static hasMarker(error: unknown, markerName: string): boolean {
    const markerSymbol = Symbol.for(markerName);
    return (
      error != null &&
      typeof error === 'object' &&
      markerSymbol in error &&
      (error as Record<symbol, unknown>)[markerSymbol] === true
    );
  }

  /** The plain-data form stored in the journal and sent to clients. */
  toItemError(): ItemError {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      // Only where it differs from the default (`retryable`), so errors of plugins that never set it read as before.
      ...(this.transient === this.retryable ? {} : { transient: this.transient }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.retryAfter === undefined ? {} : { retryAfter: this.retryAfter }),
    };
  }
}

/** A failure as data: what an outcome carries for one id. */
export interface ItemError {
  code: ProviderErrorCode;
  message: string;
  /** Whether deleting (or restoring) this video again, now or later, may succeed. */
  retryable: boolean;
  /**
   * Whether the host may repeat the call now (with backoff). Absent: the same as `retryable`, as before this field
   * existed. A refusal that holds for a while (IN_PROCESSING, TOO_RECENT) is `retryable: true, transient: false`.
   */
  transient?: boolean;
  /** How long the provider asked us to wait before the next attempt, relative to its answer. */
  retryAfterMs?: number;
  /** From when trying again may succeed, when the provider says (or lets the plugin work it out). */
  retryAfter?: Date;
}
