import type { ItemError } from './errors/unreel-provider-error.js';
import type { WebhookEventV1, WebhookRequestV1 } from './webhook-v1.js';

/** Normalised lifecycle of a video at its provider. */
export type ProviderVideoStatus = 'PROCESSING' | 'READY' | 'FAILED' | 'DELETED' | 'UNKNOWN';

export interface ProviderVideo {
  /** The provider's own id (what follows `<account>:` in an unreel id). */
  id: string;
  title: string | null;
  status: ProviderVideoStatus;
  createdAt?: Date;
  /** Set when the provider holds the video as deleted but restorable (soft delete). */
  deletedAt?: Date | null;
  restorableUntil?: Date | null;
}

/**
 * What a selection asks of a listing. A plugin applies what its API can filter on (see `listFilters`) and may ignore
 * the rest: the host checks every listed video against the whole filter again, so a plugin that filters nothing (or a
 * plugin written before filters existed, which never reads `filter`) is still correct, only slower.
 */
export interface VideoFilter {
  /** Only videos created strictly before this instant. */
  createdBefore?: Date;
  /** Only videos created at or after this instant. */
  createdAfter?: Date;
  /** Only videos in one of these statuses. */
  status?: readonly ProviderVideoStatus[];
}

/** One page request of `doListVideos`. */
export interface ListVideosRequest {
  /** From `VideoPage.nextCursor` of the page before; absent for the first page. */
  cursor?: string;
  /** At most this many videos; a provider may return fewer (its own page bound) and still have more. */
  limit: number;
  /** Absent: every video of the account. */
  filter?: VideoFilter;
}

/** Which parts of a `VideoFilter` `doListVideos` applies at the provider (each absent or false: the host filters). */
export interface ListFilterSupportV1 {
  createdBefore?: boolean;
  createdAfter?: boolean;
  /** true: any status set; an array: only sets within these statuses (others are filtered by the host). */
  status?: boolean | readonly ProviderVideoStatus[];
}

export interface VideoPage {
  items: ProviderVideo[];
  /** Opaque; pass back as `cursor` for the next page. Absent or null on the last page. */
  nextCursor?: string | null;
}

/** What happened to one id of a `doDeleteVideos` call. */
export type DeleteOutcome =
  | {
      status: 'DELETED';
      /** For soft deletes: until when `doRestoreVideo` can bring it back. */
      restorableUntil?: Date | null;
    }
  | { status: 'NOT_FOUND' }
  | { status: 'FAILED'; error: ItemError };

export type RestoreOutcome =
  | { status: 'RESTORED'; video?: ProviderVideo | null }
  | { status: 'NOT_FOUND' }
  | { status: 'FAILED'; error: ItemError };

export interface CallOptions {
  /** Aborted on the per-call timeout or on shutdown. Pass it to every request. */
  signal: AbortSignal;
  /** 1 for the first attempt of this call; the engine retries, not the plugin. */
  attempt: number;
}

export interface ProviderCapabilitiesV1 {
  /** Ids per `doDeleteVideos` call: OmegaStream 50, ApsaraVideo 20, others 1. */
  maxBatchSize: number;
  /** Soft delete with a restore path, or `false` when deletion is permanent. */
  restore: false | { windowDays?: number };
  /** The documented per-account request limit; config may override it. */
  requestsPerSecond?: number;
  /** Calls in flight per account the engine allows by default. */
  maxConcurrency?: number;
  /** Ids per `doGetVideos` call the provider answers in one request. */
  maxLookupBatchSize?: number;
  /** What `doListVideos` filters at the provider; absent: nothing (the host filters every listed page). */
  listFilters?: ListFilterSupportV1;
}

/**
 * One provider account, created by a plugin from validated settings. `do*` methods are called by
 * the host only: it owns batching, rate limits, retries and timeouts, so a provider makes exactly
 * one attempt per call and throws an `UnreelProviderError` when the whole call failed.
 */
export interface VideoProviderV1 {
  readonly specificationVersion: 'v1';
  /** The plugin id, e.g. `api-video`. */
  readonly provider: string;
  readonly capabilities: ProviderCapabilitiesV1;

  /** One outcome per id, in the order given. Throws only when the whole call failed. */
  doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]>;
  /** Absent when `capabilities.restore` is false. */
  doRestoreVideo?(id: string, options: CallOptions): Promise<RestoreOutcome>;
  /** One entry per id, in order; `null` for an id the provider does not have. */
  doGetVideos(ids: readonly string[], options: CallOptions): Promise<(ProviderVideo | null)[]>;
  /**
   * Pages through the account's videos (deleted ones excluded), applying what `capabilities.listFilters` declares of
   * `page.filter`. Used for `videos` and for delete-by-selection, which deletes while it lists: say in the plugin's
   * README how the listing behaves when listed videos disappear (offset pages shift; the host re-lists until a pass
   * finds nothing new, so a shift costs calls, never a skipped video).
   */
  doListVideos?(page: ListVideosRequest, options: CallOptions): Promise<VideoPage>;
  /**
   * Verifies and reads a webhook delivery. Throws `UnauthorizedError` when it is unsigned or badly signed (the host
   * answers 401 and changes nothing). Absent when the provider sends no deletion events.
   */
  doParseWebhook?(request: WebhookRequestV1): Promise<WebhookEventV1> | WebhookEventV1;
  /** Release sockets and timers; called once at shutdown. */
  doClose?(): Promise<void>;
}
