/**
 * The one place unreel decides how a secret is hidden: a plugin's own messages (through `scrubMessage`) and the
 * server's log lines, responses and wrapped provider errors all go through here, so they cannot disagree.
 */
const REDACTED = '[redacted]';

/** Very short values would redact ordinary words and are no secret worth the name. */
const MIN_SECRET_LENGTH = 4;

/** Whether a value is long enough to be treated as a secret at all; shorter ones are never redacted. */
export function isRedactableSecret(value: string): boolean {
  return value.length >= MIN_SECRET_LENGTH;
}

/**
 * Replaces every occurrence of each secret with `[redacted]`, longest first: when one secret holds another (a key
 * and its prefix, say), redacting the shorter first would cut the longer one apart and leave its rest readable.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (isRedactableSecret(secret) && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** How far down `cause` an error is followed: deeper chains are rare and a cycle must end somewhere. */
const MAX_CAUSE_DEPTH = 5;

/**
 * Redacts the message and stack of an error and of its causes in place, so the error keeps its class, its
 * `Symbol.for` marker and its other fields; returns the same error.
 */
export function redactErrorChain<E>(error: E, secrets: Iterable<string>): E {
  const list = [...secrets];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    current.message = redactSecrets(current.message, list);
    if (current.stack) current.stack = redactSecrets(current.stack, list);
    current = current.cause;
  }
  return error;
}
