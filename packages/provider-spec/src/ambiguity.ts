import { UnreelProviderError } from './errors/unreel-provider-error.js';

/**
 * Failures after which the provider may or may not have acted: a later NOT_FOUND for the same id
 * then means our earlier attempt deleted it. An answer whose body could not be read (INVALID_RESPONSE) is one: the
 * provider answered, so it may well have acted.
 */
const ambiguousCodes = new Set(['TIMEOUT', 'NETWORK_ERROR', 'PROVIDER_ERROR', 'INVALID_RESPONSE']);

export function isAmbiguousFailure(error: unknown): boolean {
  return UnreelProviderError.isInstance(error) && ambiguousCodes.has(error.code);
}
