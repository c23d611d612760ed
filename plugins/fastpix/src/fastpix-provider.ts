import {
  InvalidRequestError,
  type UnreelProviderError,
  type CallOptions,
  type DeleteOutcome,
  type ListVideosRequest,
  type PluginContextV1,
  type ProviderCapabilitiesV1,
  type ProviderVideo,
  type VideoPage,
  type VideoProviderV1,
  type WebhookEventV1,
  type WebhookRequestV1,
} from '@unreel/provider-spec';
import {
  basicAuthorization,
  createProviderClient,
  errorFromResponse,
  type ProviderHttpClient,
} from '@unreel/provider-kit';
import {
  describeFastPixError,
  isCredentialRefusal,
  PER_MEDIA_DELETE_STATUSES,
  refusedDeleteOutcome,
} from './fastpix-errors.js';
import { fastpixListCursor, pageRequestFor } from './fastpix-list-cursor.js';
import type { FastPixSettings } from './fastpix-settings.js';
import {
  fastpixMediaAnswerSchema,
  fastpixMediaListAnswerSchema,
  isFastPixMedia,
  toProviderVideo,
} from './fastpix-video.js';
import { parseFastPixWebhook } from './fastpix-webhook.js';

const PROVIDER = 'fastpix';

/**
 * One FastPix workspace (an access token). FastPix deletes permanently, one media per request, and has no batch
 * lookup, so every call here is one HTTP request per id.
 */
export class FastPixProvider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = PROVIDER;
  readonly capabilities: ProviderCapabilitiesV1;
  private readonly http: ProviderHttpClient;
  private readonly secrets: string[];
  private readonly settings: FastPixSettings;
  private readonly context: PluginContextV1;

  constructor(settings: FastPixSettings, context: PluginContextV1) {
    this.settings = settings;
    this.context = context;
    const authorization = basicAuthorization(settings.accessTokenId, settings.secretKey);
    this.secrets = [
      settings.accessTokenId,
      settings.secretKey,
      authorization.slice('Basic '.length),
      ...(settings.webhookSecret === undefined ? [] : [settings.webhookSecret]),
    ];
    this.capabilities = {
      maxBatchSize: 1,
      restore: false,
      ...(settings.requestsPerSecond === undefined ? {} : { requestsPerSecond: settings.requestsPerSecond }),
    };
    this.http = createProviderClient({
      provider: PROVIDER,
      baseUrl: settings.baseUrl,
      fetch: context.fetch,
      headers: { authorization, accept: 'application/json' },
      timeoutMs: settings.timeoutMs,
      readRetryLimit: settings.readRetryLimit,
      secrets: this.secrets,
      describeError: describeFastPixError,
    });
  }

  async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    if (ids.length !== 1) {
      throw new InvalidRequestError({
        message: `fastpix deletes one media per request (maxBatchSize 1), got ${ids.length} ids`,
      });
    }
    const mediaId = ids[0] as string;
    const response = await this.http.request<unknown>(mediaPath(mediaId), {
      method: 'DELETE',
      signal: options.signal,
      allowStatus: PER_MEDIA_DELETE_STATUSES,
    });
    if (response.status < 300) return [{ status: 'DELETED', restorableUntil: null }];
    if (isCredentialRefusal(response.status, response.body)) throw this.errorFrom(response);
    return [refusedDeleteOutcome(mediaId, response.status, response.body, this.secrets)];
  }

  async doGetVideos(ids: readonly string[], options: CallOptions): Promise<(ProviderVideo | null)[]> {
    const videos: (ProviderVideo | null)[] = [];
    // No batch lookup at FastPix, so the host sends one id per call (maxLookupBatchSize unset); more are looked up one
    // after the other, never as a burst the account's pacing did not plan for.
    for (const id of ids) videos.push(await this.getVideo(id, options));
    return videos;
  }

  /**
   * `GET /on-demand` has no date or status filter, so `page.filter` is left to the host. Its `offset` is a page
   * number: a media deleted between two pages moves every later one up a place.
   */
  async doListVideos(page: ListVideosRequest, options: CallOptions): Promise<VideoPage> {
    const position = fastpixListCursor.decode(page.cursor);
    const { limit, offset } = pageRequestFor(position, page.limit);
    const response = await this.http.request('/on-demand', {
      method: 'GET',
      signal: options.signal,
      // Oldest first: media uploaded while a caller pages land after its position instead of shifting every page.
      searchParams: { limit, offset, orderBy: 'asc' },
      schema: fastpixMediaListAnswerSchema,
    });
    const { data } = response.body;
    const media = data.filter(isFastPixMedia);
    const next = position + data.length;
    const total = response.body.pagination?.totalRecords;
    const more = data.length > 0 && (typeof total === 'number' ? next < total : data.length === limit);
    return {
      items: media.map((item) => toProviderVideo(item)),
      nextCursor: more ? fastpixListCursor.encode(next) : null,
    };
  }

  doParseWebhook(request: WebhookRequestV1): WebhookEventV1 {
    const parsed = parseFastPixWebhook(request, this.settings.webhookSecret);
    if (parsed.verifiedWith === 'raw-secret') {
      this.context.logger.debug('fastpix webhook verified with the signing secret used as typed, not base64-decoded', {
        account: this.context.account,
      });
    }
    return parsed.event;
  }

  private async getVideo(id: string, options: CallOptions): Promise<ProviderVideo | null> {
    // 404: no such media in this workspace; 422: not a media id at all (FastPix ids are UUIDs), so none either.
    const response = await this.http.request(mediaPath(id), {
      method: 'GET',
      signal: options.signal,
      allowStatus: [404, 422],
      schema: fastpixMediaAnswerSchema,
    });
    // 404 or 422, the statuses let through.
    if (!response.ok) return null;
    return toProviderVideo(response.body.data);
  }

  private errorFrom(response: { status: number; headers: Headers; body: unknown }): UnreelProviderError {
    return errorFromResponse(PROVIDER, response, { secrets: this.secrets, describeError: describeFastPixError });
  }
}

function mediaPath(id: string): string {
  return `/on-demand/${encodeURIComponent(id)}`;
}
