import type { LibraryVideo } from './api-video-library.js';

/** The documented ATOM form, `2019-12-16T08:25:51+00:00`: no milliseconds, an explicit offset. */
function atom(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** A Video object as the OAS `video` schema describes it (the official clients deserialize exactly these keys). */
export function videoJson(video: LibraryVideo): Record<string, unknown> {
  const id = video.videoId;
  const discarded = video.discardedAt !== null;
  return {
    videoId: id,
    createdAt: atom(video.createdAt),
    title: video.title,
    description: video.description,
    publishedAt: atom(video.publishedAt),
    updatedAt: atom(video.updatedAt),
    discardedAt: video.discardedAt === null ? null : atom(video.discardedAt),
    deletesAt: video.deletesAt === null ? null : atom(video.deletesAt),
    discarded,
    language: 'en',
    languageOrigin: 'api',
    tags: video.tags,
    metadata: video.metadata,
    source: { uri: `/videos/${id}/source` },
    // The discarded-video examples show no playable assets: a discarded video cannot be streamed.
    assets: discarded
      ? null
      : {
          iframe: `<iframe src="https://embed.api.video/vod/${id}" width="100%" height="100%" frameborder="0" scrolling="no" allowfullscreen=""></iframe>`,
          player: `https://embed.api.video/vod/${id}`,
          hls: `https://cdn.api.video/vod/${id}/hls/manifest.m3u8`,
          thumbnail: `https://cdn.api.video/vod/${id}/thumbnail.jpg`,
          mp4: `https://cdn.api.video/vod/${id}/mp4/source.mp4`,
        },
    public: true,
    panoramic: false,
    mp4Support: true,
  };
}

const QUALITIES = ['240p', '360p', '480p', '720p', '1080p'] as const;

/** `GET /videos/{videoId}/status`: ingest progress, then encoding progress per quality. */
export function statusJson(video: LibraryVideo): Record<string, unknown> {
  const { phase, filesize } = video;
  const receivedAll = phase !== 'uploading' && phase !== 'ingesting';
  const received = receivedAll ? filesize : Math.floor(filesize / 3);
  const ingestStatus = phase === 'uploading' ? 'uploading' : phase === 'ingesting' ? 'ingesting' : 'uploaded';
  const qualityStatus = (index: number): string => {
    if (phase === 'ready') return 'encoded';
    if (phase === 'failed') return 'failed';
    if (phase === 'encoding') return index === 0 ? 'encoding' : 'waiting';
    return 'waiting';
  };
  return {
    ingest: {
      status: ingestStatus,
      filesize,
      receivedBytes: [{ from: 0, to: received - 1, total: filesize }],
    },
    encoding: {
      playable: phase === 'ready',
      qualities: receivedAll
        ? QUALITIES.map((quality, index) => ({ type: 'hls', quality, status: qualityStatus(index) }))
        : [],
      metadata: receivedAll
        ? {
            width: 1920,
            height: 1080,
            bitrate: 4500.5,
            duration: 120,
            framerate: 30,
            samplerate: 48000,
            videoCodec: 'h264',
            audioCodec: 'aac',
            aspectRatio: '16/9',
          }
        : {
            width: null,
            height: null,
            bitrate: null,
            duration: null,
            framerate: null,
            samplerate: null,
            videoCodec: null,
            audioCodec: null,
            aspectRatio: null,
          },
    },
  };
}
