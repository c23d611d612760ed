import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'RateLimitedError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** The provider throttled us; `retryAfterMs` says when to come back, when it said. */
export class RateLimitedError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('RATE_LIMITED', { message: 'The provider is throttling requests', retryable: true, ...options });
    this.name = name;
  }

  static override isInstance(error: unknown): error is RateLimitedError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
