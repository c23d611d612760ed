import type { CallOptions } from '@unreel/provider-spec';

/** A generous bound per call: tests check behaviour, never speed. */
const CALL_TIMEOUT_MS = 15_000;

/** What the host passes to a `do*` method: the first attempt and a timeout signal, unless a test says otherwise. */
export function callOptions(options: { attempt?: number; signal?: AbortSignal } = {}): CallOptions {
  return { signal: options.signal ?? AbortSignal.timeout(CALL_TIMEOUT_MS), attempt: options.attempt ?? 1 };
}
