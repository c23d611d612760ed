import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'ProviderUnavailableError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** The provider answered 5xx or an equivalent; retrying may help. Ambiguous: it may have acted. */
export class ProviderUnavailableError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('PROVIDER_ERROR', { message: 'The provider failed to handle the request', retryable: true, ...options });
    this.name = name;
  }

  static override isInstance(error: unknown): error is ProviderUnavailableError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
