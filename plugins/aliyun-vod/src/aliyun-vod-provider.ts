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
  type WebhookEventV1,
  type WebhookRequestV1,
} from '@unreel/provider-spec';
import {
  itemFailure,
  offsetCursor,
  pageHolding,
  providerStatusesFor,
  videoMatchesFilter,
  wholeSecondRange,
} from '@unreel/provider-kit';
import { formatAliyunTimestamp } from './aliyun-timestamp.js';
import { AliyunVodRpcClient, type RpcResponse } from './aliyun-vod-rpc-client.js';
import type { AliyunVodSettings } from './aliyun-vod-settings.js';
import { idListField, LIST_STATUSES, listField, toProviderVideo } from './aliyun-vod-video.js';
import { parseVodCallback } from './aliyun-vod-webhook.js';

/** DeleteVideo and GetVideoInfos both take at most 20 comma-separated ids (providers.md §5.2; GetVideoInfosRequest). */
const MAX_IDS_PER_CALL = 20;
/** GetVideoList's PageSize maximum (GetVideoListRequest). */
const MAX_PAGE_SIZE = 100;
const NOT_FOUND_CODE = 'InvalidVideo.NotFound';
/** The offset of the next video, whatever page size the host asks for next. */
const listCursor = offsetCursor('aliyun-vod', 'o');

/**
 * ApsaraVideo VOD (Version 2017-03-21). Deletion is physical ("The video cannot be recovered"), so there is no
 * restore; a video still uploading may be deleted ("only deletion allowed"), so nothing is refused as in processing.
 */
export class AliyunVodProvider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'aliyun-vod';
  readonly capabilities: ProviderCapabilitiesV1;
  private readonly settings: AliyunVodSettings;
  private readonly rpc: AliyunVodRpcClient;

  constructor(settings: AliyunVodSettings, context: Pick<PluginContextV1, 'fetch' | 'logger'>) {
    this.settings = settings;
    this.rpc = new AliyunVodRpcClient(settings, { fetch: context.fetch, logger: context.logger });
    this.capabilities = {
      maxBatchSize: MAX_IDS_PER_CALL,
      restore: false,
      // One quota shared by every action and by the account's RAM users (providers.md §5.2).
      requestsPerSecond: settings.requestsPerSecond,
      maxLookupBatchSize: MAX_IDS_PER_CALL,
      // GetVideoList takes a creation-time range and a comma-separated Status; UNKNOWN has no VOD value to send.
      listFilters: { createdBefore: true, createdAfter: true, status: ['PROCESSING', 'READY', 'FAILED'] },
    };
  }

  async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    checkBatch('doDeleteVideos', ids);
    const sendable = ids.filter(isSendableId);
    let forbidden = new Set<string>();
    let missing = new Set<string>();
    if (sendable.length > 0) {
      const response = await this.rpc.call(
        'DeleteVideo',
        { VideoIds: sendable.join(',') },
        { signal: options.signal, write: true, allowStatus: [404] },
      );
      if (response.status === 404) {
        // "If none of the videos in the list exists, a 404 error is returned." Any other 404 is a real failure.
        this.expectNotFound(response);
        missing = new Set(sendable);
      } else {
        // UnRemoveableVideoIds is the older name of ForbiddenVideoIds (the old doc's XML sample).
        forbidden = new Set([
          ...idListField(response.body.ForbiddenVideoIds),
          ...idListField(response.body.UnRemoveableVideoIds),
        ]);
        missing = new Set(idListField(response.body.NonExistVideoIds));
      }
    }
    return ids.map((id): DeleteOutcome => {
      if (!isSendableId(id)) return invalidId(id);
      if (forbidden.has(id)) {
        return itemFailure(
          'FORBIDDEN',
          `ApsaraVideo VOD refused to delete ${id} (ForbiddenVideoIds): this AccessKey has no permission on it`,
        );
      }
      if (missing.has(id)) return { status: 'NOT_FOUND' };
      return { status: 'DELETED', restorableUntil: null };
    });
  }

  async doGetVideos(ids: readonly string[], options: CallOptions): Promise<(ProviderVideo | null)[]> {
    checkBatch('doGetVideos', ids);
    const sendable = ids.filter(isSendableId);
    const found = new Map<string, ProviderVideo>();
    if (sendable.length > 0) {
      const response = await this.rpc.call(
        'GetVideoInfos',
        { VideoIds: sendable.join(',') },
        { signal: options.signal, write: false, allowStatus: [404] },
      );
      if (response.status === 404) this.expectNotFound(response);
      else {
        for (const raw of listField(response.body.VideoList)) {
          const video = toProviderVideo(raw);
          if (video) found.set(video.id, video);
        }
      }
    }
    // An id that cannot be a VOD id cannot exist there either.
    return ids.map((id) => found.get(id) ?? null);
  }

  async doListVideos(page: ListVideosRequest, options: CallOptions): Promise<VideoPage> {
    const offset = listCursor.decode(page.cursor);
    const size = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(page.limit)));
    const statuses = providerStatusesFor(page.filter?.status, LIST_STATUSES);
    const { createdBefore, createdAfter } = page.filter ?? {};
    // Nothing can match (and VOD might refuse a StartTime after EndTime): an empty last page, without a call.
    const emptyRange = createdBefore && createdAfter && createdAfter.getTime() >= createdBefore.getTime();
    if (statuses?.length === 0 || emptyRange) return { items: [], nextCursor: null };
    // StartTime/EndTime count in whole seconds and the docs do not say whether they are inclusive: the range sent is
    // widened to whole seconds and the rows outside the exact one are dropped here.
    const { start, end } = wholeSecondRange(page.filter);
    const exact = { ...(createdBefore ? { createdBefore } : {}), ...(createdAfter ? { createdAfter } : {}) };
    // PageNo/PageSize is offset paging; the cursor is the offset, so a host that changes its limit between pages
    // still resumes where it left off (the page holding the offset is fetched and its head skipped).
    const { page: pageNo, skip } = pageHolding(offset, size);
    const response = await this.rpc.call(
      'GetVideoList',
      {
        PageNo: String(pageNo),
        PageSize: String(size),
        SortBy: 'CreationTime:Asc',
        ...(statuses ? { Status: statuses.join(',') } : {}),
        ...(start ? { StartTime: formatAliyunTimestamp(start) } : {}),
        ...(end ? { EndTime: formatAliyunTimestamp(end) } : {}),
      },
      { signal: options.signal, write: false },
    );
    const rows = listField(response.body.VideoList);
    const items = rows
      .slice(skip)
      .map(toProviderVideo)
      .filter((video): video is ProviderVideo => video !== undefined && videoMatchesFilter(video, exact));
    const next = offset + (rows.length - skip);
    const total = typeof response.body.Total === 'number' ? response.body.Total : Number(response.body.Total);
    // Oldest first, so videos created while paging land behind the cursor instead of shifting it.
    const more = Number.isFinite(total) ? next < total : rows.length === size;
    return { items, nextCursor: more && rows.length > 0 ? listCursor.encode(next) : null };
  }

  doParseWebhook(request: WebhookRequestV1): WebhookEventV1 {
    return parseVodCallback(request, {
      authKey: this.settings.callbackAuthKey,
      callbackUrl: this.settings.callbackUrl,
      maxAgeSeconds: this.settings.callbackMaxAgeSeconds,
    });
  }

  private expectNotFound(response: RpcResponse): void {
    if (response.body.Code !== NOT_FOUND_CODE) throw this.rpc.errorFor(response);
  }
}

function checkBatch(method: string, ids: readonly string[]): void {
  if (ids.length === 0 || ids.length > MAX_IDS_PER_CALL) {
    throw new InvalidRequestError({
      message: `aliyun-vod ${method} takes 1 to ${MAX_IDS_PER_CALL} ids per call, got ${ids.length}`,
    });
  }
}

/** The wire format is a comma-separated list: an id with a comma or blank in it would become other ids. */
function isSendableId(id: string): boolean {
  return id.length > 0 && id.length <= 128 && !/[,\s]/.test(id);
}

function invalidId(id: string): DeleteOutcome {
  const message = `"${id.slice(0, 64)}" is not an ApsaraVideo VOD video id: ids are 1 to 128 characters without commas or blanks`;
  return itemFailure('INVALID_REQUEST', message);
}
