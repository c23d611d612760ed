import { UnreelProviderError, type ProviderErrorOptions } from './unreel-provider-error.js';

const name = 'UnsupportedOperationError';
const marker = `unreel.provider.error.${name}`;
const symbol = Symbol.for(marker);

/** The provider has no way to do this (for example restore on a provider that deletes permanently). */
export class UnsupportedOperationError extends UnreelProviderError {
  private readonly [symbol] = true;

  constructor(options: Partial<ProviderErrorOptions> = {}) {
    super('UNSUPPORTED', { message: 'The provider does not support this operation', retryable: false, ...options });
    this.name = name;
  }

  static override isInstance(error: unknown): error is UnsupportedOperationError {
    return UnreelProviderError.hasMarker(error, marker);
  }
}
