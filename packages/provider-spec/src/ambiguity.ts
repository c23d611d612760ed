import { UnreelProviderError } from './errors/unreel-provider-error.js';

/**
 * Failures after which the provider may or may not have acted: a later NOT_FOUND for the same id
 * then means our earlier attempt deleted it.
 */
const ambiguousCodes = new Set(['TIMEOUT', 'NETWORK_ERROR', 'PROVIDER_ERROR']);

export function isAmbiguousFailure(error: unknown): boolean {
  return UnreelProviderError.isInstance(error) && ambiguousCodes.has(error.code);
}
