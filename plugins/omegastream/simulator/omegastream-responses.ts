import type { SimulatorReply } from '@unreel/provider-kit/simulator';
import type { SimulatedVideo } from './omegastream-library.js';
import type { ErrorBodyStyle, FailedVideosShape } from './omegastream-simulator-options.js';

/** Why a request or one video of a bulk delete was refused; the words are the simulator's own (none are documented). */
export const REFUSALS = {
  missingKey: { code: 'unauthorized', message: 'missing api key' },
  wrongKey: { code: 'unauthorized', message: 'invalid api key' },
  notFound: { code: 'video_not_found', message: 'video not found' },
  forbidden: { code: 'forbidden', message: 'video does not belong to your company' },
  // The documented precondition, word for word: the same answer for a video still processing and one too recent.
  notDeletable: {
    code: 'video_not_deletable',
    message: 'the video should be completed processing or failed for more than 4 hours',
  },
  notDeleted: { code: 'video_not_deleted', message: 'video is not deleted' },
  routeNotFound: { code: 'not_found', message: 'route not found' },
  tooManyRequests: { code: 'too_many_requests', message: 'too many requests' },
  serverError: { code: 'internal_error', message: 'internal server error' },
} as const;

export interface Refusal {
  code: string;
  message: string;
}

export function errorReply(
  status: number,
  refusal: Refusal,
  style: ErrorBodyStyle,
  headers?: Record<string, string>,
): SimulatorReply {
  const base = headers === undefined ? {} : { headers };
  if (style === 'text') return { status, ...base, text: refusal.message };
  if (style === 'error')
    return { status, ...base, json: { status, error: { code: refusal.code, message: refusal.message } } };
  return { status, ...base, json: { message: refusal.message } };
}

export function failedVideosBody(
  failures: readonly { uuid: string; refusal: Refusal }[],
  shape: FailedVideosShape,
): unknown {
  switch (shape) {
    case 'uuid-list':
      return failures.map((failure) => failure.uuid);
    case 'object-list':
      return failures.map((failure) => ({ uuid: failure.uuid, reason: failure.refusal.message }));
    case 'map-object':
      return Object.fromEntries(
        failures.map((failure) => [failure.uuid, { code: failure.refusal.code, message: failure.refusal.message }]),
      );
    case 'empty':
      return {};
    case 'map-string':
      return Object.fromEntries(failures.map((failure) => [failure.uuid, failure.refusal.message]));
  }
}

/** The full video model of `GET {base}/:uuid` (video_model.md). */
export function videoModel(video: SimulatedVideo, origin: string): Record<string, unknown> {
  const stream = `${origin}/stream/company/${video.coid}/${video.uuid}`;
  const ready = video.status === 'process-completed';
  return {
    ...listItem(video, origin),
    playback_v2: ready
      ? {
          hls: `${stream}/master.m3u8`,
          dash: `${stream}/manifest.mpd`,
          audio: `${stream}/audio.m4a`,
          r_1080p: `${stream}/1080p.m3u8`,
          r_720p: `${stream}/720p.m3u8`,
          r_480p: `${stream}/480p.m3u8`,
          r_360p: `${stream}/360p.m3u8`,
          r_240p: `${stream}/240p.m3u8`,
        }
      : null,
    input: { width: 1920, height: 1080 },
    storage: {
      bucket: 'omega-videos',
      raw_bucket: 'omega-raw-videos',
      provider: 's3',
      source: { key: `${video.coid}/${video.uuid}/source.mp4`, size: video.size },
      meta: {},
    },
    meta: video.status === 'process-failed' ? { failure: 'transcoding failed: unsupported codec' } : {},
  };
}

/** The subset of the model the lists show (get_videos.md, get_deleted_videos.md). */
function listItem(video: SimulatedVideo, origin: string): Record<string, unknown> {
  return {
    id: video.id,
    created_at: new Date(video.createdAt).toISOString(),
    updated_at: new Date(video.updatedAt).toISOString(),
    deleted_at: video.deletedAt === null ? null : new Date(video.deletedAt).toISOString(),
    uuid: video.uuid,
    coid: video.coid,
    title: video.title,
    status: video.status,
    privacy: video.privacy,
    duration: video.duration,
    size: video.size,
    ready_to_stream: video.status === 'process-completed',
    thumbnail: `${origin}/stream/dashboard/${video.coid}/${video.uuid}/thumbnail.jpg`,
    thumbnail_timestamp_pct: null,
    collection_id: video.collectionId,
  };
}

/** `{data,total,page,per_page,prev,next,total_page}`; `prev`/`next` are 0 when there is no such page. */
export function pageEnvelope(
  videos: readonly SimulatedVideo[],
  page: number,
  perPage: number,
  origin: string,
): Record<string, unknown> {
  const totalPage = Math.ceil(videos.length / perPage);
  const data = videos.slice((page - 1) * perPage, page * perPage).map((video) => listItem(video, origin));
  return {
    data,
    total: videos.length,
    page,
    per_page: perPage,
    prev: page > 1 ? page - 1 : 0,
    next: page < totalPage ? page + 1 : 0,
    total_page: totalPage,
  };
}
