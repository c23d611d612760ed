import type { ProviderVideo, ProviderVideoStatus } from '@unreel/provider-spec';
import { parseAliyunTimestamp } from './aliyun-timestamp.js';
import { isRecord } from './aliyun-vod-errors.js';

/**
 * VOD video statuses (providers.md §5.3) -> unreel's. `Blocked` maps to READY: the upload and transcoding finished,
 * the video exists and is visible to its owner, and it can be deleted like any other; only playback is refused by
 * review. FAILED would claim the processing failed, PROCESSING that it may still change by itself; neither is true.
 * `checking` (review in progress) appears lower-case in GetVideoList and capitalised in the data-types page.
 */
const STATUSES: Readonly<Record<string, ProviderVideoStatus>> = {
  Uploading: 'PROCESSING',
  UploadSucc: 'PROCESSING',
  Transcoding: 'PROCESSING',
  checking: 'PROCESSING',
  Checking: 'PROCESSING',
  Normal: 'READY',
  Blocked: 'READY',
  UploadFail: 'FAILED',
  TranscodeFail: 'FAILED',
  ProduceFail: 'FAILED',
};

/** The values GetVideoList's `Status` takes (GetVideoListRequest writes `checking` lower-case), each mapped as above. */
export const LIST_STATUSES: Readonly<Record<string, ProviderVideoStatus>> = Object.fromEntries(
  Object.entries(STATUSES).filter(([status]) => status !== 'Checking'),
);

function vodStatusToProviderStatus(status: unknown): ProviderVideoStatus {
  return typeof status === 'string' ? (STATUSES[status] ?? 'UNKNOWN') : 'UNKNOWN';
}

/** One entry of GetVideoInfos' `VideoList` or GetVideoList's `VideoList.Video`; undefined when it has no VideoId. */
export function toProviderVideo(raw: unknown): ProviderVideo | undefined {
  if (!isRecord(raw) || typeof raw.VideoId !== 'string' || raw.VideoId === '') return undefined;
  const created = typeof raw.CreationTime === 'string' ? parseAliyunTimestamp(raw.CreationTime) : undefined;
  return {
    id: raw.VideoId,
    title: typeof raw.Title === 'string' ? raw.Title : null,
    status: vodStatusToProviderStatus(raw.Status),
    ...(created === undefined ? {} : { createdAt: new Date(created) }),
  };
}

/**
 * A list field as RPC JSON may carry it: a plain array (the current SDK models), an object wrapping one array
 * (`{"Video": [...]}`, `{"VideoId": [...]}`, the older RPC JSON shape), or absent.
 */
export function listField(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value)) {
    const arrays = Object.values(value).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as unknown[];
  }
  if (typeof value === 'string' && value !== '') return value.split(',');
  return [];
}

export function idListField(value: unknown): string[] {
  return listField(value).filter((entry): entry is string => typeof entry === 'string' && entry !== '');
}
