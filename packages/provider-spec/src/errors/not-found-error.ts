import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'NotFoundError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** The video does not exist at the provider (or not for this account). */
export class NotFoundError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('NOT_FOUND', { message: 'The video was not found', retryable: false, ...options });
    this.name = name;
  }

  static override isInstance(error: unknown): error is NotFoundError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
