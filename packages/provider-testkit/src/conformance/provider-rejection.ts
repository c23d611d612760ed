import { expect } from 'vitest';
import { UnreelProviderError } from '@unreel/provider-spec';

/** Awaits a call that must fail the way the host expects a provider to fail: with an `UnreelProviderError`. */
export async function providerRejection(promise: Promise<unknown>): Promise<UnreelProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'the call should have thrown').toBeDefined();
  expect(UnreelProviderError.isInstance(error), `expected an UnreelProviderError, got ${String(error)}`).toBe(true);
  return error as UnreelProviderError;
}
