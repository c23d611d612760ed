import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'InvalidRequestError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** The provider rejected the shape of our request (a plugin bug or a bad setting). */
export class InvalidRequestError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('INVALID_REQUEST', { message: 'The provider rejected the request', retryable: false, ...options });
    this.name = name;
  }

  static override isInstance(error: unknown): error is InvalidRequestError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
