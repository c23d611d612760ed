import { itemFailure } from '@unreel/provider-kit';
import type { DeleteOutcome } from '@unreel/provider-spec';
import type { RefusalKind } from './omegastream-errors.js';
import { deletableAt, isProcessingStatus, type OmegastreamVideo } from './omegastream-video.js';

/** What a lookup (`GET {base}/:uuid`) of a refused video found. */
export type VideoLookup =
  | { found: 'video'; video: OmegastreamVideo }
  | { found: 'nothing' }
  | { found: 'forbidden' }
  /** The lookup itself failed: only the refusal's own words are left to go on. */
  | { found: 'unknown' };

export interface Refusal {
  id: string;
  /** The provider's words, when it gave any. */
  reason: string | undefined;
  kind: RefusalKind;
}

/**
 * Beyond this, waiting for a too-recent video is not a quick retry's business: the item says it may succeed later, and
 * from when, and the host waits for it only when asked to (whenBlocked: WAIT).
 */
const RETRY_SOON_MS = 60_000;

/** Refused for now, not for good: the docs say the video becomes deletable once processed for 4 hours. */
const LATER = { retryable: true, transient: false } as const;

/** Refusals whose reason alone cannot say which outcome it is (or, for too-recent ones, from when it can be deleted). */
export function refusalNeedsLookup(kind: RefusalKind): boolean {
  return kind === 'NOT_YET_DELETABLE' || kind === 'TOO_RECENT' || kind === 'UNKNOWN' || kind === 'NOT_DELETED';
}

/**
 * Turns one refused deletion into its outcome. The video's own state (when it was looked up) beats the reason's
 * words, because the documented precondition reads the same for a video still processing and one finished too
 * recently, and only the video says from when it can be deleted. `secrets` are scrubbed from the provider's words.
 */
export function outcomeOfRefusal(
  refusal: Refusal,
  lookup: VideoLookup | undefined,
  now: number,
  secrets: readonly string[],
): DeleteOutcome {
  const { id, kind } = refusal;
  const said = refusal.reason ? `: "${refusal.reason}"` : '';
  if (kind === 'NOT_FOUND') return { status: 'NOT_FOUND' };
  // Marked for deletion already: what the caller asked for is done.
  if (kind === 'ALREADY_DELETED') return { status: 'DELETED' };
  if (kind === 'FORBIDDEN') return forbidden(id, said, secrets);

  if (lookup?.found === 'nothing') return { status: 'NOT_FOUND' };
  if (lookup?.found === 'forbidden') return forbidden(id, said, secrets);
  if (lookup?.found === 'video') {
    const { video } = lookup;
    if (video.deleted_at) return { status: 'DELETED' };
    if (isProcessingStatus(video.status))
      return inProcessing(id, `is still processing (status ${video.status})`, secrets);
    if (video.status === 'process-completed' || video.status === 'process-failed') {
      const from = deletableAt(video);
      if (from && from.getTime() > now) return tooRecent(id, video.status, from, now);
    }
  }
  if (kind === 'IN_PROCESSING') return inProcessing(id, `is still processing${said}`, secrets);
  if (kind === 'TOO_RECENT') {
    return itemFailure(
      'TOO_RECENT',
      `OmegaStream refused to delete ${id}: it finished processing less than 4 hours ago${said}`,
      { secrets, ...LATER },
    );
  }
  if (kind === 'NOT_YET_DELETABLE' && lookup?.found !== 'video') {
    // The lookup failed, so which half of the precondition applies is unknown; both are final for now.
    const message = `OmegaStream refused to delete ${id}: not yet deletable (still processing, or finished less than 4 hours ago)${said}`;
    return itemFailure('IN_PROCESSING', message, { secrets, ...LATER });
  }
  // The provider refused a video that, as far as it shows us, is deletable: nothing says trying again will not work.
  const message = `OmegaStream refused to delete ${id} without a reason unreel recognises${said || ' (no reason given)'}`;
  return itemFailure('PROVIDER_ERROR', message, { secrets, retryable: true });
}

function forbidden(id: string, said: string, secrets: readonly string[]): DeleteOutcome {
  return itemFailure(
    'FORBIDDEN',
    `OmegaStream does not let this API key delete ${id} (a video of another company)${said}`,
    { secrets },
  );
}

function inProcessing(id: string, why: string, secrets: readonly string[]): DeleteOutcome {
  const message = `OmegaStream cannot delete ${id} yet: it ${why}; a video can be deleted once it completed processing or failed more than 4 hours ago`;
  // No time: processing takes as long as it takes, and the 4 hours start only when it ends.
  return itemFailure('IN_PROCESSING', message, { secrets, ...LATER });
}

function tooRecent(id: string, status: string, from: Date, now: number): DeleteOutcome {
  const retryAfterMs = from.getTime() - now;
  const message = `OmegaStream cannot delete ${id} before ${from.toISOString()}: it reached ${status} less than 4 hours ago`;
  // Deletable within a minute: the host's own retries wait for it (transient, with the wait as Retry-After).
  return itemFailure('TOO_RECENT', message, {
    ...LATER,
    transient: retryAfterMs <= RETRY_SOON_MS,
    retryAfterMs,
    retryAfter: from,
  });
}
