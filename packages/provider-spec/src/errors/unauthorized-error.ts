import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'UnauthorizedError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** The provider refused the account's credentials. Never carries the credentials themselves. */
export class UnauthorizedError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('UNAUTHORIZED', { message: 'The provider refused the credentials', retryable: false, ...options });
    this.name = name;
  }

  static override isInstance(error: unknown): error is UnauthorizedError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
