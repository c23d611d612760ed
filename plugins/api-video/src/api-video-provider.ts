import {
  createProviderClient,
  itemFailure,
  offsetCursor,
  pageHolding,
  type ProviderHttpClient,
  type ProviderRequestInit,
} from '@unreel/provider-kit';
import {
  InvalidRequestError,
  UnauthorizedError,
  UnreelProviderError,
  type CallOptions,
  type DeleteOutcome,
  type ListVideosRequest,
  type PluginContextV1,
  type ProviderCapabilitiesV1,
  type ProviderVideo,
  type RestoreOutcome,
  type VideoPage,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import {
  ApiVideoBasicAuthorization,
  type ApiVideoAuthorization,
  type AuthorizationGrant,
} from './api-video-authorization.js';
import { ApiVideoBearerAuthorization } from './api-video-bearer-authorization.js';
import { describeApiVideoError, problemMessage } from './api-video-errors.js';
import { API_VIDEO_HOSTS, type ApiVideoSettings } from './api-video-settings.js';
import { apiVideoListSchema, apiVideoStatusSchema, apiVideoVideoSchema } from './api-video-types.js';
import { toProviderVideo } from './api-video-video.js';

/** Documented write requests per minute (providers.md §2.6); every delete and restore is a write. */
const WRITES_PER_MINUTE = { production: 200, sandbox: 40 } as const;
/** The Video Restore feature keeps a discarded video this long (OAS, `DELETE /videos/{videoId}`). */
const RESTORE_WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;
const MAX_PAGE_SIZE = 100;
/**
 * api.video pages by number (`currentPage`, `pageSize` 1..100); the cursor is the offset of the next video, so the
 * caller may change its page size between pages. Like the API itself, it cannot see videos deleted between two pages
 * (later ones then shift towards the front).
 */
const listCursor = offsetCursor('api-video', 'o');

/** One api.video account (providers.md §2): `DELETE /videos/{id}`, and restore through the discarded collection. */
export class ApiVideoProvider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'api-video';
  readonly capabilities: ProviderCapabilitiesV1;
  /** Present only with Video Restore: without it api.video deletes for good and the host must not offer restore. */
  readonly doRestoreVideo?: (id: string, options: CallOptions) => Promise<RestoreOutcome>;
  private readonly settings: ApiVideoSettings;
  private readonly http: ProviderHttpClient;
  private readonly auth: ApiVideoAuthorization;

  constructor(settings: ApiVideoSettings, context: PluginContextV1) {
    this.settings = settings;
    this.http = createProviderClient({
      provider: 'api-video',
      baseUrl: settings.baseUrl ?? API_VIDEO_HOSTS[settings.environment],
      fetch: context.fetch,
      headers: { accept: 'application/json' },
      timeoutMs: settings.timeoutMs,
      // api.video counts every read, failed ones included, against a per-minute read budget (100 in the sandbox), and a
      // lookup already spends two or three reads per call the host paces. A retry in here would spend more of it
      // unseen, right when the provider is failing; the host's retries go through the account's pacing instead.
      readRetryLimit: 0,
      // Read when an error is built: bearer tokens are issued while the client lives.
      secrets: () => this.auth.secrets(),
      // Messages only: the client takes a wait from an answer that asks for one (429), and X-RateLimit-Retry-After,
      // which comes on every answer, must not make a 401 or a 500 look like something to wait out.
      describeError: describeApiVideoError,
    });
    this.auth =
      settings.auth === 'bearer'
        ? new ApiVideoBearerAuthorization({
            http: this.http,
            apiKey: settings.apiKey,
            refreshMarginMs: settings.tokenRefreshMarginSeconds * 1_000,
            timeoutMs: settings.timeoutMs,
            logger: context.logger,
          })
        : new ApiVideoBasicAuthorization(settings.apiKey);
    this.capabilities = {
      maxBatchSize: 1,
      restore: settings.videoRestore ? { windowDays: RESTORE_WINDOW_DAYS } : false,
      requestsPerSecond: settings.requestsPerSecond ?? WRITES_PER_MINUTE[settings.environment] / 60,
    };
    if (settings.videoRestore) this.doRestoreVideo = (id, options) => this.restore(id, options);
  }

  async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    if (ids.length === 0) return [];
    if (ids.length > 1)
      throw new InvalidRequestError({
        message: `api-video deletes one video per call (maxBatchSize 1), got ${ids.length} ids`,
      });
    const id = ids[0] as string;
    const response = await this.send(videoPath(id), {
      method: 'DELETE',
      signal: options.signal,
      allowStatus: [404, 409],
    });
    if (response.status === 404) return [{ status: 'NOT_FOUND' }];
    if (response.status === 409) {
      // Only seen behind the simulator's `deleteIngesting: 'refused'` switch: the docs never refuse a delete.
      const reason = problemMessage(response.body) ?? 'conflict';
      const message = `api.video did not delete ${id} while its source is being ingested: ${reason}`;
      // Retryable later, not now: ingestion ends by itself.
      return [
        itemFailure('IN_PROCESSING', message, { secrets: this.auth.secrets(), retryable: true, transient: false }),
      ];
    }
    // 204: with Video Restore the video is discarded, and api.video keeps it 90 days from now.
    return [
      {
        status: 'DELETED',
        restorableUntil: this.settings.videoRestore ? new Date(Date.now() + RESTORE_WINDOW_DAYS * DAY_MS) : null,
      },
    ];
  }

  async doGetVideos(ids: readonly string[], options: CallOptions): Promise<(ProviderVideo | null)[]> {
    const videos: (ProviderVideo | null)[] = [];
    for (const id of ids) videos.push(await this.lookup(id, options.signal));
    return videos;
  }

  /**
   * `GET /videos` filters on title, tags, metadata and the like, never on a date or a status, so `page.filter` is left
   * to the host. Page-number paging: a video deleted between two pages moves every later one up a place.
   */
  async doListVideos(page: ListVideosRequest, options: CallOptions): Promise<VideoPage> {
    const offset = listCursor.decode(page.cursor);
    const pageSize = Math.min(Math.max(1, Math.floor(page.limit)), MAX_PAGE_SIZE);
    const { page: currentPage, skip } = pageHolding(offset, pageSize);
    const response = await this.send('/videos', {
      method: 'GET',
      signal: options.signal,
      // Oldest first, so videos created while someone pages land after the pages already read.
      searchParams: { currentPage, pageSize, sortBy: 'createdAt', sortOrder: 'asc' },
      schema: apiVideoListSchema,
    });
    const body = response.body;
    // Listings carry no encoding status (see toProviderVideo): one status read per item would spend the read budget.
    const items = body.data.slice(skip).map((video) => toProviderVideo(video));
    const next = offset + items.length;
    return {
      items,
      nextCursor: items.length > 0 && next < body.pagination.itemsTotal ? listCursor.encode(next) : null,
    };
  }

  /**
   * A live video is read twice: the Video object (title, dates) and `/status`, the only place that says whether it
   * is playable, so PROCESSING is exact without guessing from `assets`. A 404 with Video Restore then looks in the
   * discarded collection, where a deleted video waits to be purged.
   */
  private async lookup(id: string, signal: AbortSignal): Promise<ProviderVideo | null> {
    const path = videoPath(id);
    const get = { method: 'GET', signal, allowStatus: [404] } as const;
    const live = await this.send(path, { ...get, schema: apiVideoVideoSchema });
    if (live.ok) {
      // Some accounts may answer a discarded video here too (the simulator's `getDiscarded: 'video'`).
      if (live.body.discarded === true) return toProviderVideo(live.body);
      const status = await this.send(`${path}/status`, { ...get, schema: apiVideoStatusSchema });
      if (status.ok) return toProviderVideo(live.body, status.body);
      // Deleted between the two reads: what is left of it is in the discarded collection, if anywhere.
    }
    if (!this.settings.videoRestore) return null;
    const discarded = await this.send(`/discarded${path}`, { ...get, schema: apiVideoVideoSchema });
    return discarded.ok ? toProviderVideo({ ...discarded.body, discarded: true }) : null;
  }

  private async restore(id: string, options: CallOptions): Promise<RestoreOutcome> {
    const response = await this.send(`/discarded${videoPath(id)}`, {
      method: 'PATCH',
      signal: options.signal,
      json: { discarded: false },
      allowStatus: [404],
    });
    // 404: not in the discarded collection (never deleted, already restored, or purged after 90 days).
    if (response.status === 404) return { status: 'NOT_FOUND' };
    // The answer has no encoding status; leaving the video out lets the host look it up, status included.
    return { status: 'RESTORED' };
  }

  /** Every request: authorize, send once, and drop a bearer token that api.video refused. */
  private readonly send = (async (path: string, init: ProviderRequestInit) => {
    let grant: AuthorizationGrant | undefined;
    try {
      grant = await this.auth.grant(init.signal);
      return await this.http.request(path, { ...init, headers: { ...init.headers, authorization: grant.header } });
    } catch (error) {
      throw this.failure(error, grant);
    }
  }) as ProviderHttpClient['request'];

  private failure(error: unknown, grant: AuthorizationGrant | undefined): unknown {
    if (!UnreelProviderError.isInstance(error) || grant?.token === undefined || error.code !== 'UNAUTHORIZED')
      return error;
    this.auth.rejected(grant.token);
    // A token cached from an earlier call may have been revoked or have expired early at api.video: the host's next
    // attempt gets a new one. A token fresh from /auth/api-key that is refused is a real refusal.
    if (!grant.reused) return error;
    return new UnauthorizedError({
      message: 'api-video refused the cached bearer token; the next attempt asks for a new one',
      retryable: true,
      status: 401,
    });
  }
}

function videoPath(id: string): string {
  if (typeof id !== 'string' || id.trim() === '')
    throw new InvalidRequestError({ message: 'api-video: a video id must be a non-empty string' });
  return `/videos/${encodeURIComponent(id)}`;
}
