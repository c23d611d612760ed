import { UnreelProviderError, type ItemError } from '@unreel/provider-spec';

/** Any failure as journal data. Unknown errors are not retried and never expose their internals. */
export function toItemError(error: unknown, provider: string): ItemError {
  if (UnreelProviderError.isInstance(error)) return error.toItemError();
  return { code: 'PROVIDER_ERROR', message: `${provider} plugin failed unexpectedly`, retryable: false };
}
