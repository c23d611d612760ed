import type { ProviderVideo, ProviderVideoStatus } from '@unreel/provider-spec';
import type { ApiVideoStatus, ApiVideoVideo } from './api-video-types.js';

/**
 * api.video's Video object has no status field: whether a video is playable is only in `GET /videos/{id}/status`.
 * Without that answer (listings, which would need one more read per item) the status is UNKNOWN, never a guess.
 * A discarded video (Video Restore) is DELETED, restorable until `deletesAt`.
 */
export function toProviderVideo(video: ApiVideoVideo, status?: ApiVideoStatus): ProviderVideo {
  const createdAt = parseDate(video.createdAt);
  const base = {
    id: video.videoId,
    title: typeof video.title === 'string' ? video.title : null,
    ...(createdAt ? { createdAt } : {}),
  };
  if (video.discarded === true) {
    return {
      ...base,
      status: 'DELETED',
      deletedAt: parseDate(video.discardedAt) ?? null,
      restorableUntil: parseDate(video.deletesAt) ?? null,
    };
  }
  return { ...base, status: status ? statusOf(status) : 'UNKNOWN' };
}

/**
 * Playable means READY. A source still arriving (`uploading`, `ingesting`) or qualities still waiting or encoding
 * mean PROCESSING; every quality failed means FAILED. A video never given a source is not playable either and is
 * reported PROCESSING: it is waiting for its upload, which is what the host needs to know.
 */
function statusOf(status: ApiVideoStatus): ProviderVideoStatus {
  if (status.encoding?.playable === true) return 'READY';
  const ingest = status.ingest?.status;
  if (ingest === 'uploading' || ingest === 'ingesting') return 'PROCESSING';
  const qualities = status.encoding?.qualities ?? [];
  if (qualities.length > 0 && qualities.every((quality) => quality.status === 'failed')) return 'FAILED';
  return 'PROCESSING';
}

/** ATOM dates (`2019-12-16T08:25:51+00:00`); anything unreadable is left out rather than made up. */
function parseDate(value: string | null | undefined): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
