import type { ItemError } from './errors/unreel-provider-error.js';

/** A webhook delivery as the host received it: the raw bytes, because signatures cover them. */
export interface WebhookRequestV1 {
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Uint8Array;
}

/** What a verified delivery means to unreel. */
export type WebhookEventV1 =
  /** Verified or harmless but not about a deletion (validation probes, other event types): answer 200, change nothing. */
  | { type: 'ignored'; reason: string }
  | {
      type: 'video.deletion-confirmed';
      /** The provider's delivery id, used to drop duplicates. */
      eventId: string;
      /** Native id of the video. */
      videoId: string;
      confirmedAt: Date;
      /** False when the provider reports that the deletion failed after all. */
      success: boolean;
      error?: ItemError;
    };
