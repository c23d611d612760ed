import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'TimeoutError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** No answer within the per-call timeout. Ambiguous: the provider may have acted. */
export class TimeoutError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('TIMEOUT', { message: 'The provider did not answer in time', retryable: true, ...options });
    this.name = name;
  }

  static override isInstance(error: unknown): error is TimeoutError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
