import { ProviderUnavailableError, TimeoutError, UnreelProviderError } from '@unreel/provider-spec';
import { errorForCode } from './error-mapping.js';
import { redactSecrets } from './redact-secrets.js';
import { scrubMessage, withoutQueries } from './scrub-message.js';

/** How far down `cause` an error is copied: deeper chains are rare and a cycle must end somewhere. */
const MAX_CAUSE_DEPTH = 5;

/**
 * What a plugin threw, as a new UnreelProviderError built here, with every secret gone from its message, its stack
 * and its causes. The thrown error is never written to: it may be a library's (a DOMException has only a getter for
 * `message`, and assigning it threw a TypeError that turned deleted videos into FAILED ones), shared, or frozen.
 *
 * A provider error keeps its code, retryability (transience too), waits and status, which is all the engine reads of it (a plugin's own
 * subclass and extra fields are not kept). Anything else a plugin throws left its effect at the provider unknown, so
 * it becomes a retryable, ambiguous failure: TIMEOUT for an error named TimeoutError, PROVIDER_ERROR otherwise, whose
 * message says what was thrown (its name and its own message, redacted and shortened), so the item error shows why.
 */
export function redactProviderError(error: unknown, secrets: Iterable<string>, provider: string): UnreelProviderError {
  const list = [...secrets];
  const redact = (text: string): string => redactSecrets(text, list);
  if (UnreelProviderError.isInstance(error)) {
    const cause = redactedCause(error.cause, redact, 1);
    const copy = errorForCode(error.code, {
      message: redact(error.message),
      retryable: error.retryable,
      // Absent from errors of a provider-spec older than `transient`: the copy then defaults it, as the original does.
      transient: typeof error.transient === 'boolean' ? error.transient : undefined,
      retryAfterMs: error.retryAfterMs,
      retryAfter: error.retryAfter,
      status: error.status,
      ...(cause === undefined ? {} : { cause }),
    });
    // Where the plugin threw it, not where it was copied.
    if (error.stack) copy.stack = redact(error.stack);
    return copy;
  }
  const name = error instanceof Error ? error.name : typeof error;
  const cause = redactedCause(typeof error === 'string' ? new Error(error) : error, redact, 1);
  if (name === 'TimeoutError') {
    return new TimeoutError({ message: `${provider} did not answer in time (the plugin threw a TimeoutError)`, cause });
  }
  const said = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const firstLine = withoutQueries(said.split('\n', 1)[0]?.trim() ?? '');
  return new ProviderUnavailableError({
    message: scrubMessage(`${provider} plugin failed unexpectedly (${name}${firstLine ? `: ${firstLine}` : ''})`, list),
    retryable: true,
    cause,
  });
}

/**
 * A copy of a cause with its secrets redacted: errors as errors (name, message, string code, stack), strings as
 * strings. Other values are left out, as their fields could hold anything and no log needs them.
 */
function redactedCause(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (depth > MAX_CAUSE_DEPTH) return undefined;
  if (typeof value === 'string') return redact(value);
  if (!(value instanceof Error)) return undefined;
  const copy = new Error(redact(value.message));
  copy.name = value.name;
  const code: unknown = (value as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
  copy.stack = value.stack ? redact(value.stack) : `${copy.name}: ${copy.message}`;
  const inner = redactedCause(value.cause, redact, depth + 1);
  if (inner !== undefined) copy.cause = inner;
  return copy;
}
