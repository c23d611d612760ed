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
  return secretRedactor(secrets)(text);
}

/**
 * `redactSecrets` for a set of secrets fixed in advance: the secrets are filtered and ordered once, not on every
 * call, for whoever redacts many texts against the same set (the server's log lines, each a few strings).
 */
export function secretRedactor(secrets: Iterable<string>): (text: string) => string {
  const ordered = [...secrets].filter(isRedactableSecret).sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => {
    let result = text;
    for (const secret of ordered) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return result;
  };
}
