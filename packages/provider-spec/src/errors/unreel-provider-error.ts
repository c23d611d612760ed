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
  /** Whether trying the same call again may succeed. */
  retryable?: boolean | undefined;
  /** How long the provider asked us to wait before the next attempt (Retry-After and friends). */
  retryAfterMs?: number | undefined;
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
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(code: ProviderErrorCode, options: ProviderErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UnreelProviderError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
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
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** A failure as data: what an outcome carries for one id. */
export interface ItemError {
  code: ProviderErrorCode;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
}
