import type { RateLimitDecision, SimulatorReply } from '@unreel/provider-kit/simulator';
import type { ElytronVideoRecord } from './elytron-library.js';

/** `nested` is the docs' prose (`{"error":{"code","message"}}`), `flat` their generated schema panels. */
export type ElytronErrorStyle = 'nested' | 'flat';

/** The docs say X-RateLimit-Reset is "time when the rate limit resets" and nothing about its format. */
export type ElytronResetFormat = 'epoch-seconds' | 'epoch-ms' | 'seconds' | 'iso';

export interface ElytronMeta {
  timestamp: string;
  request_id: string;
}

/** `{"data":…,"meta":…}`, the envelope of every documented success. */
export function dataReply(status: number, data: unknown, meta: ElytronMeta): SimulatorReply {
  return { status, json: { data, meta } };
}

export function errorReply(
  style: ElytronErrorStyle,
  status: number,
  error: { code: string; message: string; details?: Record<string, unknown> },
  meta: ElytronMeta,
): SimulatorReply {
  if (style === 'flat') {
    // The panel shows no meta and an always-present details object.
    return { status, json: { error: error.code, message: error.message, details: error.details ?? {} } };
  }
  const { details, ...rest } = error;
  return { status, json: { error: details === undefined ? rest : { ...rest, details }, meta } };
}

/** The three documented headers; Reset in whichever format the simulator was started with. */
export function rateLimitHeaders(
  decision: Pick<RateLimitDecision, 'limit' | 'remaining' | 'resetAtMs'>,
  format: ElytronResetFormat,
  now: number,
): Record<string, string> {
  return {
    'x-ratelimit-limit': String(decision.limit),
    'x-ratelimit-remaining': String(decision.remaining),
    'x-ratelimit-reset': formatReset(decision.resetAtMs, format, now),
  };
}

function formatReset(resetAtMs: number, format: ElytronResetFormat, now: number): string {
  switch (format) {
    case 'epoch-seconds':
      // Rounded up: a client that waits until this second must find the window open.
      return String(Math.ceil(resetAtMs / 1000));
    case 'epoch-ms':
      return String(resetAtMs);
    case 'seconds':
      return String(Math.max(0, Math.ceil((resetAtMs - now) / 1000)));
    case 'iso':
      return new Date(resetAtMs).toISOString();
  }
}

/** A video as `GET /videos` and `GET /videos/{id}` show it: the documented fields, nothing the simulator keeps. */
export function videoJson(video: ElytronVideoRecord, baseUrl: string): Record<string, unknown> {
  return {
    video_id: video.video_id,
    prompt: video.prompt,
    status: video.status,
    duration: video.duration,
    quality: video.quality,
    aspect_ratio: video.aspect_ratio,
    style: video.style,
    created_at: video.created_at,
    completed_at: video.completed_at,
    download_url: video.status === 'completed' ? `${baseUrl}/videos/${video.video_id}/download` : null,
    file_size: video.file_size,
    ...(video.error === null ? {} : { error: video.error }),
  };
}

/** `GET /videos/{id}/status`: pending and processing videos say when they expect to finish. */
export function statusJson(video: ElytronVideoRecord): Record<string, unknown> {
  const generating = video.status === 'pending' || video.status === 'processing';
  return {
    video_id: video.video_id,
    status: video.status,
    progress: video.progress,
    estimated_completion: generating ? new Date(Date.parse(video.created_at) + 5 * 60_000).toISOString() : null,
  };
}
