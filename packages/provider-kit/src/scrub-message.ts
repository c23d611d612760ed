import { redactSecrets } from './redact-secrets.js';

/** A provider can answer a whole HTML page where a sentence was expected; no log line or journal row needs more. */
const MAX_MESSAGE_LENGTH = 300;

/**
 * A message fit to leave the plugin: secrets redacted first (so none is left half-cut), then shortened. Thrown errors
 * built by the client get this, and so do the item failures a plugin builds from what a provider said.
 */
export function scrubMessage(text: string, secrets: readonly string[] = []): string {
  const redacted = redactSecrets(text, secrets);
  return redacted.length > MAX_MESSAGE_LENGTH ? `${redacted.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : redacted;
}

/** Query strings carry signatures and tokens (signed RPC, presigned URLs): an error message never needs them. */
export function withoutQueries(text: string): string {
  return text.replace(/(https?:\/\/[^\s?#]+)\?[^\s#]*/g, '$1?[query removed]');
}
