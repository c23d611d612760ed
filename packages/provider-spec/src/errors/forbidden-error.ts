import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'ForbiddenError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** The credentials are valid but may not touch this resource. */
export class ForbiddenError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('FORBIDDEN', {
      message: 'The provider does not allow this operation on this resource',
      retryable: false,
      ...options,
    });
    this.name = name;
  }

  static override isInstance(error: unknown): error is ForbiddenError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
