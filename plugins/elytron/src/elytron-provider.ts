import {
  InvalidRequestError,
  type CallOptions,
  type DeleteOutcome,
  type ListVideosRequest,
  type PluginContextV1,
  type ProviderCapabilitiesV1,
  type ProviderVideo,
  type VideoPage,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import {
  createProviderClient,
  offsetCursor as offsetCursorOf,
  providerStatusesFor,
  runCursor as runCursorOf,
  type ProviderHttpClient,
} from '@unreel/provider-kit';
import { assertVideoNotFound, deleteOutcomeOf, describeElytronError } from './elytron-errors.js';
import { elytronBaseUrl, elytronPlanLimits, type ElytronSettings } from './elytron-settings.js';
import { elytronListBodySchema, elytronStatuses, elytronVideoBodySchema, toProviderVideo } from './elytron-video.js';

/** `GET /videos` documents limit 1..100. */
const MAX_PAGE_SIZE = 100;
/** Elytron's `offset` itself, as the cursor. */
/** Without a status filter the cursor is Elytron's `offset`; with one, the run (one Elytron status) and its offset. */
const offsetCursor = offsetCursorOf('elytron');
const runCursor = runCursorOf('elytron', 's');

/**
 * One Elytron account. Elytron deletes one video per request, permanently, so this is the whole provider: one
 * DELETE per call, lookups by id, and a paged list. Batching, concurrency, pacing and retries are the host's.
 */
export class ElytronProvider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'elytron';
  readonly capabilities: ProviderCapabilitiesV1;
  private readonly client: ProviderHttpClient;
  private readonly secrets: readonly string[];

  constructor(settings: ElytronSettings, context: PluginContextV1) {
    this.secrets = [settings.apiKey];
    this.capabilities = {
      // No bulk endpoint: Elytron's docs send one DELETE per video. The host runs several calls at once instead.
      maxBatchSize: 1,
      // "This action cannot be undone", so there is no doRestoreVideo and the host answers NOT_RESTORABLE itself.
      restore: false,
      requestsPerSecond: elytronPlanLimits[settings.plan] / 60,
      // `status` is Elytron's only list filter; UNKNOWN (a status Elytron adds later) has no value to ask for.
      listFilters: { status: ['PROCESSING', 'READY', 'FAILED'] },
    };
    this.client = createProviderClient({
      provider: 'elytron',
      baseUrl: elytronBaseUrl(settings),
      fetch: context.fetch,
      headers: { authorization: `Bearer ${settings.apiKey}`, accept: 'application/json' },
      timeoutMs: settings.timeoutMs,
      // Not even after a 408, a 5xx or a network error: Elytron counts every request against a quota as small as 10 a
      // minute and the host paces calls to exactly that quota, so a retry in here would be a request the pacing never
      // counted, and the account's next call would meet a 429.
      readRetryLimit: 0,
      secrets: this.secrets,
      describeError: describeElytronError,
    });
  }

  async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    // A loop over several ids could fail halfway and lose the outcomes of the deletes already done.
    if (ids.length !== 1) {
      throw new InvalidRequestError({
        message: `elytron deletes one video per call (maxBatchSize 1), got ${ids.length} ids`,
      });
    }
    const id = ids[0] as string;
    // 401, 429 and 5xx fail the whole call (thrown by the client); these three are answers about this one video.
    const response = await this.client.request(videoPath(id), {
      method: 'DELETE',
      signal: options.signal,
      allowStatus: [400, 403, 404],
    });
    if (response.status < 300) return [{ status: 'DELETED' }];
    return [deleteOutcomeOf(id, response.status, response.body, this.secrets)];
  }

  /**
   * `GET /videos/{id}` rather than `/status`: both cost one request, and only the video itself carries the prompt
   * and creation date a ProviderVideo shows. Elytron has no lookup by several ids, so ids are fetched one by one
   * (the host sends one, as `maxLookupBatchSize` is unset).
   */
  async doGetVideos(ids: readonly string[], options: CallOptions): Promise<(ProviderVideo | null)[]> {
    const videos: (ProviderVideo | null)[] = [];
    for (const id of ids) {
      const response = await this.client.request(videoPath(id), {
        method: 'GET',
        signal: options.signal,
        allowStatus: [404],
        schema: elytronVideoBodySchema,
      });
      if (!response.ok) {
        // 404, the one status let through. Deleted videos are gone for good at Elytron, so a deleted video looks exactly like one never made.
        assertVideoNotFound(response.status, response.body, `GET /videos/${id}`);
        videos.push(null);
      } else {
        videos.push(toProviderVideo(response.body));
      }
    }
    return videos;
  }

  /**
   * Elytron's `status` takes one value, so a status set is listed as one listing per Elytron status, one after the
   * other; the cursor holds the run and Elytron's `offset` in it. Offset paging: a video deleted between two pages
   * shifts the rest of its run one place up, so a single pass that deletes as it lists skips as many videos as it
   * deleted before them (the host lists again until a pass finds nothing new).
   */
  async doListVideos(page: ListVideosRequest, options: CallOptions): Promise<VideoPage> {
    const limit = Math.min(Math.max(1, Math.floor(page.limit)), MAX_PAGE_SIZE);
    const statuses = providerStatusesFor(page.filter?.status, elytronStatuses);
    if (statuses === undefined) {
      const listed = await this.listRun(undefined, offsetCursor.decode(page.cursor), limit, options);
      return { items: listed.items, nextCursor: listed.next === undefined ? null : offsetCursor.encode(listed.next) };
    }
    const { run, inner } = runCursor.decode(page.cursor);
    const status = statuses[run];
    if (status === undefined) return { items: [], nextCursor: null };
    const listed = await this.listRun(status, offsetCursor.decode(inner), limit, options);
    const nextCursor =
      listed.next !== undefined
        ? runCursor.encode({ run, inner: offsetCursor.encode(listed.next) })
        : run + 1 < statuses.length
          ? runCursor.encode({ run: run + 1, inner: undefined })
          : null;
    return { items: listed.items, nextCursor };
  }

  /** One page of `GET /videos` from `offset`, and the offset of the next one (undefined when this was the last). */
  private async listRun(
    status: string | undefined,
    offset: number,
    limit: number,
    options: CallOptions,
  ): Promise<{ items: ProviderVideo[]; next: number | undefined }> {
    const response = await this.client.request('/videos', {
      method: 'GET',
      signal: options.signal,
      searchParams: { limit, offset, ...(status === undefined ? {} : { status }) },
      schema: elytronListBodySchema,
    });
    const { videos, total } = response.body;
    const next = offset + videos.length;
    // An empty page ends the listing even if `total` says otherwise, so a stale total cannot loop forever.
    return { items: videos.map(toProviderVideo), next: videos.length > 0 && next < total ? next : undefined };
  }
}

/** Encoded, so an id holding `/` or `?` cannot reach another endpoint. */
function videoPath(id: string): string {
  return `/videos/${encodeURIComponent(id)}`;
}
