import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'ProviderResponseError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * The provider answered, but with a body the plugin cannot read: not JSON, or not the shape its schema expects (a
 * proxy's error page, a truncated or garbled answer, an API that changed). Code `INVALID_RESPONSE`.
 *
 * Retry rule: retryable and ambiguous, as a 5xx after the call. The provider may have acted on the request (a delete
 * answered 200 with garbage most likely did), so the host retries the call, and a NOT_FOUND after it then means our
 * earlier attempt deleted the video. A lookup or a listing is retried the same way; the host's attempt budget bounds
 * how often a provider that keeps answering nonsense is asked. Build it with provider-kit's `parseResponse` (or the
 * client's `schema` option) rather than by hand, so the message says the same thing for every plugin.
 */
export class ProviderResponseError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('INVALID_RESPONSE', {
      message: 'The provider answered with a body that could not be read',
      retryable: true,
      ...options,
    });
    this.name = name;
  }

  static override isInstance(error: unknown): error is ProviderResponseError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
