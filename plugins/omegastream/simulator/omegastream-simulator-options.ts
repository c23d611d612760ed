import type { StartSimulatorOptions } from '@unreel/provider-kit/simulator';

/** The shapes `failed_videos` may take; the docs only ever show `{}`, so which one the real API sends is unknown. */
export type FailedVideosShape =
  /** `{"<uuid>": "<reason>"}` (default) */
  | 'map-string'
  /** `{"<uuid>": {"code": "...", "message": "..."}}` */
  | 'map-object'
  /** `["<uuid>", ...]`, no reasons at all */
  | 'uuid-list'
  /** `[{"uuid": "...", "reason": "..."}]` */
  | 'object-list'
  /** Always `{}`, as in the docs' only example, so only `failed_count` says that some failed. */
  | 'empty';

/** No error body is documented: `{"message"}` (default), `{"status","error":{"code","message"}}`, or plain text. */
export type ErrorBodyStyle = 'message' | 'error' | 'text';

export type SimulatedBulkPath = 'delete_videos' | 'bulk_delete';

export interface OmegastreamSimulatorOptions extends StartSimulatorOptions {
  /** The one valid API key; default derived from the seed. */
  apiKey?: string;
  /** The simulator's clock, for the 4-hour rule, `deleted_at` and retention. Default `Date.now`. */
  now?: () => number;
  latencyMs?: readonly [number, number];
  /** Fraction of requests answered with a 500 without acting. */
  errorRate?: number;
  /**
   * Requests per key per window; default 10 per second (an assumption: OmegaStream documents no limit). `false`
   * turns limiting off. Beyond it: 429 with Retry-After.
   */
  rateLimit?: { limit: number; windowMs: number } | false;
  /** The throttled answer: status (default 429) and how Retry-After is written (default seconds). */
  throttle?: { status?: number; retryAfter?: 'seconds' | 'http-date' | 'none' };
  /** Success of delete and revert: `new` = 204 No Content (current docs), `old` = 200 with a message (older docs). */
  answerStyle?: 'new' | 'old';
  failedVideosShape?: FailedVideosShape;
  errorBody?: ErrorBodyStyle;
  /** Whether `GET {base}/:uuid` shows a soft-deleted video (with `deleted_at`) or answers 404. Default visible. */
  deletedLookup?: 'visible' | 'hidden';
  /** Bulk paths served; default both. A path not served falls through to `DELETE {base}/:uuid`. */
  bulkPaths?: readonly SimulatedBulkPath[];
  /** After this long a soft-deleted video is purged for good (revert then answers 404). Default: never. */
  retentionMs?: number | false;
  /** Whether revert_deletion insists on its `status` query parameter. Default required, as the docs list it. */
  revertStatus?: 'required' | 'optional';
  /** Largest `limit` the lists honour; larger ones are served this many. Default 100. */
  maxPageSize?: number;
}

/** The switches the routes read, defaults applied; the clock and retention go to the library instead. */
export interface ResolvedSimulatorOptions {
  apiKey: string;
  rateLimit: { limit: number; windowMs: number } | false;
  throttleStatus: number;
  retryAfter: 'seconds' | 'http-date' | 'none';
  answerStyle: 'new' | 'old';
  failedVideosShape: FailedVideosShape;
  errorBody: ErrorBodyStyle;
  deletedLookup: 'visible' | 'hidden';
  bulkPaths: ReadonlySet<SimulatedBulkPath>;
  revertStatus: 'required' | 'optional';
  maxPageSize: number;
}

export const DEFAULT_RATE_LIMIT = { limit: 10, windowMs: 1_000 } as const;

export function resolveSimulatorOptions(
  options: OmegastreamSimulatorOptions,
  defaultApiKey: string,
): ResolvedSimulatorOptions {
  if (options.maxPageSize !== undefined && !(Number.isInteger(options.maxPageSize) && options.maxPageSize >= 1)) {
    throw new RangeError(`omegastream simulator: maxPageSize must be a positive integer, got ${options.maxPageSize}`);
  }
  if (options.retentionMs !== undefined && options.retentionMs !== false && !(options.retentionMs >= 0)) {
    throw new RangeError(`omegastream simulator: retentionMs must be false or at least 0, got ${options.retentionMs}`);
  }
  return {
    apiKey: options.apiKey ?? defaultApiKey,
    rateLimit: options.rateLimit ?? { ...DEFAULT_RATE_LIMIT },
    throttleStatus: options.throttle?.status ?? 429,
    retryAfter: options.throttle?.retryAfter ?? 'seconds',
    answerStyle: options.answerStyle ?? 'new',
    failedVideosShape: options.failedVideosShape ?? 'map-string',
    errorBody: options.errorBody ?? 'message',
    deletedLookup: options.deletedLookup ?? 'visible',
    bulkPaths: new Set(options.bulkPaths ?? ['delete_videos', 'bulk_delete']),
    revertStatus: options.revertStatus ?? 'required',
    maxPageSize: options.maxPageSize ?? 100,
  };
}
