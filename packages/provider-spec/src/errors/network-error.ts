import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'NetworkError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** The connection failed before an HTTP answer. Ambiguous when the request may have been sent. */
export class NetworkError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('NETWORK_ERROR', { message: 'The provider could not be reached', retryable: true, ...options });
    this.name = name;
  }

  static override isInstance(error: unknown): error is NetworkError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
