import type { ItemError, ProviderErrorCode } from '@unreel/provider-spec';
import { scrubMessage } from './scrub-message.js';

export interface ItemFailureOptions {
  /** Scrubbed from the message, which often quotes the provider's own words. */
  secrets?: readonly string[];
  /** Default false: a refusal about one video stands until something about that video changes. */
  retryable?: boolean;
  retryAfterMs?: number;
}

/**
 * The `FAILED` outcome of one id of a delete or a restore, its message scrubbed as the client scrubs a thrown error's
 * (secrets redacted, length capped), so an item failure quoting the provider is held to the same rules.
 */
export function itemFailure(
  code: ProviderErrorCode,
  message: string,
  options: ItemFailureOptions = {},
): { status: 'FAILED'; error: ItemError } {
  return {
    status: 'FAILED',
    error: {
      code,
      message: scrubMessage(message, options.secrets),
      retryable: options.retryable ?? false,
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    },
  };
}
