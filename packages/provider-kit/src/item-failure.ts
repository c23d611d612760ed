import type { ItemError, ProviderErrorCode } from '@unreel/provider-spec';
import { scrubMessage } from './scrub-message.js';

export interface ItemFailureOptions {
  /** Scrubbed from the message, which often quotes the provider's own words. */
  secrets?: readonly string[];
  /** Default false: a refusal about one video stands until something about that video changes. */
  retryable?: boolean;
  /**
   * Whether the host may send it again now (see ItemError.transient); default: `retryable`. A refusal that holds for
   * a while (still processing, too recent) is `retryable: true, transient: false`, with `retryAfter` when known.
   */
  transient?: boolean;
  retryAfterMs?: number;
  /** From when trying again may succeed, when the provider says or it can be worked out. */
  retryAfter?: Date;
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
      retryable: (options.retryable ?? false) || options.transient === true,
      ...(options.transient === undefined ? {} : { transient: options.transient }),
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
      ...(options.retryAfter === undefined ? {} : { retryAfter: options.retryAfter }),
    },
  };
}
