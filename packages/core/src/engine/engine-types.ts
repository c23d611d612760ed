import type { AccountRegistry } from '../accounts/account-registry.js';
import type { ProviderVideo } from '@unreel/provider-spec';
import type { ItemRecord, VideoSelection, WhenBlocked } from '../model/operation.js';

export interface EngineOptions {
  /** Ids one deleteVideos call may carry. */
  maxIdsPerOperation: number;
  /** Events read from the journal per page when replaying. */
  eventPageSize: number;
  /** Open items read per page when planning: what bounds memory per account and operation. */
  planPageSize: number;
  /** Operations one tenant may have running at once; a submission beyond it is a TOO_MANY_OPERATIONS error. */
  maxRunningOperationsPerTenant: number;
  /** The first wait before a journal that could not be written is tried again; doubled per failure up to the max. */
  journalRetryInitialMs: number;
  journalRetryMaxMs: number;
  /**
   * whenBlocked: WAIT keeps an item its provider refuses for now SCHEDULED at most this long, counted from when the item
   * was first due (the operation's createdAt, plus the account's deleteDelay); a next attempt that would come later
   * ends the item FAILED with its last error.
   */
  blockedRetryHorizonMs: number;
  /** The wait before trying a blocked item again when its provider gave no time; doubled per attempt up to the max. */
  blockedRetryInitialMs: number;
  blockedRetryMaxMs: number;
  /** Videos asked for per list call, when discovering a selection and when previewing one. */
  listPageSize: number;
  /**
   * selectVideos lists at most this many pages, and for at most `selectionPreviewMaxMs` by the engine's clock; beyond
   * either, it answers the count so far as a lower bound (`complete: false`).
   */
  selectionPreviewMaxCalls: number;
  selectionPreviewMaxMs: number;
  /** The most videos selectVideos returns as its sample. */
  selectionSampleMax: number;
}

export const defaultEngineOptions: EngineOptions = {
  maxIdsPerOperation: 10_000,
  eventPageSize: 500,
  planPageSize: 1_000,
  maxRunningOperationsPerTenant: Number.POSITIVE_INFINITY,
  journalRetryInitialMs: 100,
  journalRetryMaxMs: 5_000,
  blockedRetryHorizonMs: 24 * 3_600_000,
  blockedRetryInitialMs: 60_000,
  blockedRetryMaxMs: 3_600_000,
  listPageSize: 100,
  selectionPreviewMaxCalls: 200,
  selectionPreviewMaxMs: 30_000,
  selectionSampleMax: 100,
};

export interface DeleteRequest {
  tenant: string;
  /** The videos to delete; or `selection`, never both. */
  ids?: readonly string[] | undefined;
  /** Every video of one account that matches, discovered while deleting; needs `maxItems`. */
  selection?: VideoSelection | undefined;
  /** With `selection`: at most this many videos (1..maxIdsPerOperation); discovery ends CAPPED there. */
  maxItems?: number | undefined;
  operationId?: string | undefined;
  /** What becomes of items a provider refuses for now; absent: each account's default (`Account.whenBlocked`). */
  whenBlocked?: WhenBlocked | undefined;
  /** The accounts this request may name (its tenant's); any other account is unknown to it. Default: every account. */
  accounts?: AccountRegistry | undefined;
}

export interface RestoreResult {
  videoId: string;
  restored: boolean;
  error: { code: string; message: string } | null;
  /** The journaled item after the restore, when the video had one. */
  item: ItemRecord | null;
  /** What the provider returned, if anything. */
  video: ProviderVideo | null;
}

/** selectVideos: how many videos a selection matches now, and a few of them. Changes nothing. */
export interface SelectionPreview {
  /** Exact when `complete`; otherwise a lower bound: listing stopped at the preview's bound. */
  count: number;
  complete: boolean;
  /** The first matching videos in listing order, at most the sample asked for. */
  sample: ProviderVideo[];
}
