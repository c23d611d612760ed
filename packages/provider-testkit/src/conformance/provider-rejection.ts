import { expect } from 'vitest';
import { UnreelProviderError } from '@unreel/provider-spec';

/** What to throw instead of a plain error: the failure message of every suite check that meets one. */
function plainErrorAdvice(error: unknown): string {
  const what =
    error instanceof Error
      ? `a plain ${error.name} ("${error.message.split('\n', 1)[0]?.slice(0, 120) ?? ''}")`
      : `${typeof error} ${String(error).slice(0, 120)}`;
  return (
    `the plugin threw ${what}, not an UnreelProviderError, so the host cannot tell whether retrying may help or ` +
    'whether the provider acted. Throw an error class of @unreel/provider-spec instead: RateLimitedError (429), ' +
    'ProviderUnavailableError (5xx), TimeoutError, NetworkError, ProviderResponseError (a body it cannot read), ' +
    "UnauthorizedError, ForbiddenError, InvalidRequestError; @unreel/provider-kit's createProviderClient and " +
    'parseResponse throw them for you'
  );
}

/** Awaits a call that must fail the way the host expects a provider to fail: with an `UnreelProviderError`. */
export async function providerRejection(promise: Promise<unknown>): Promise<UnreelProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'the call should have thrown').toBeDefined();
  expect(UnreelProviderError.isInstance(error), plainErrorAdvice(error)).toBe(true);
  return error as UnreelProviderError;
}
