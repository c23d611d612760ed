import { UnreelProviderError, isAmbiguousFailure, type ItemError } from '@unreel/provider-spec';

/**
 * Any failure as journal data. A failure that is not a provider error (a plugin broke its contract, or the host's own
 * check of an answer failed) left the provider's state unknown: retryable, like a 5xx, and never exposing internals
 * here, where nothing redacts them (the server's wrapper turns what a plugin throws into a redacted provider error
 * before it reaches the engine).
 */
export function toItemError(error: unknown, provider: string): ItemError {
  if (UnreelProviderError.isInstance(error)) return error.toItemError();
  return { code: 'PROVIDER_ERROR', message: `${provider} plugin failed unexpectedly`, retryable: true };
}

/** Whether the provider may have acted before this failure: then a later NOT_FOUND means our attempt deleted it. */
export function isAmbiguous(error: unknown): boolean {
  return !UnreelProviderError.isInstance(error) || isAmbiguousFailure(error);
}
