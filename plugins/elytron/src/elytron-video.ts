import { z } from 'zod';
import type { ProviderVideo, ProviderVideoStatus } from '@unreel/provider-spec';

/**
 * The fields of an Elytron video that unreel uses. `status` and `created_at` stay plain strings: a status Elytron adds
 * later shows as UNKNOWN, and a date in a format the docs never pinned is left out, instead of failing every lookup.
 */
const elytronVideoSchema = z.object({
  video_id: z.string().min(1),
  status: z.string(),
  prompt: z.string().nullish(),
  created_at: z.string().nullish(),
});

export type ElytronVideo = z.output<typeof elytronVideoSchema>;

/**
 * `GET /videos/{id}`. Its docs are cut short: by analogy with every other endpoint the video is `data` itself, but
 * `data.video` is read as well, since that is the other likely reading.
 */
export const elytronVideoBodySchema = z
  .object({
    data: z.preprocess((data) => (isRecord(data) && isRecord(data.video) ? data.video : data), elytronVideoSchema),
  })
  .transform(({ data }) => data);

/** `GET /videos`: the prose wraps the page in `data`, the generated schema panel shows it bare. */
const listPageSchema = z.object({
  videos: z.array(elytronVideoSchema),
  total: z.number().int().nonnegative(),
});
export const elytronListBodySchema = z.preprocess(
  (body) => (isRecord(body) && isRecord(body.data) ? body.data : body),
  listPageSchema,
);

/** Generation is Elytron's processing: a pending or processing video is not deletable yet. */
export const elytronStatuses: Readonly<Record<'pending' | 'processing' | 'completed' | 'failed', ProviderVideoStatus>> =
  {
    pending: 'PROCESSING',
    processing: 'PROCESSING',
    completed: 'READY',
    failed: 'FAILED',
  };
const statuses = new Map<string, ProviderVideoStatus>(Object.entries(elytronStatuses));

export function toProviderVideo(video: ElytronVideo): ProviderVideo {
  return {
    id: video.video_id,
    // An AI-generated video has no title; its prompt is what a person recognises it by.
    title: video.prompt ?? null,
    status: statuses.get(video.status) ?? 'UNKNOWN',
    ...createdAt(video.created_at),
  };
}

function createdAt(text: string | null | undefined): { createdAt?: Date } {
  const date = text ? new Date(text) : undefined;
  return date && !Number.isNaN(date.getTime()) ? { createdAt: date } : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value != null && typeof value === 'object' && !Array.isArray(value);
}
