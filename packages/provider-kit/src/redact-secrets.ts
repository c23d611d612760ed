/**
 * Replaces every occurrence of a secret with a marker. Secrets shorter than 4 characters are left
 * alone: replacing them would mangle ordinary words and they are not worth hiding.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    result = result.split(secret).join('[redacted]');
  }
  return result;
}
