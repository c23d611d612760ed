import { z } from 'zod';
import type { ProviderVideo, ProviderVideoStatus } from '@unreel/provider-spec';

/**
 * Neither completed nor failed: the docs only allow deleting a video that is one of those two. `ready-to-upload` is not
 * in the documented enum but shows up in the docs' list examples, so it is known here too.
 */
const PROCESSING_STATUSES: ReadonlySet<string> = new Set(['ready-to-upload', 'uploaded', 'in-progress']);

/** "the video should be completed processing or failed for more than 4 hours" (delete_video.md). */
const DELETABLE_AFTER_MS = 4 * 60 * 60 * 1000;

/** The part of the video model the plugin reads; the rest (playback, storage, meta...) passes through unread. */
export const omegastreamVideoSchema = z.looseObject({
  uuid: z.string().min(1),
  title: z.string().nullish(),
  status: z.string().nullish(),
  coid: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  deleted_at: z.string().nullish(),
});
export type OmegastreamVideo = z.infer<typeof omegastreamVideoSchema>;

/** `{data,total,page,per_page,prev,next,total_page}`, the envelope of the list and of the deleted list. */
export const omegastreamPageSchema = z.looseObject({
  data: z.array(omegastreamVideoSchema).nullish(),
  total: z.number().nullish(),
  page: z.number().nullish(),
  per_page: z.number().nullish(),
  prev: z.number().nullish(),
  next: z.number().nullish(),
  total_page: z.number().nullish(),
});

/** The statuses `GET {base}?status=` takes (the documented enum plus `ready-to-upload`), mapped as `statusOf` does. */
export const OMEGASTREAM_LIST_STATUSES: Readonly<Record<string, ProviderVideoStatus>> = {
  'ready-to-upload': 'PROCESSING',
  uploaded: 'PROCESSING',
  'in-progress': 'PROCESSING',
  'process-completed': 'READY',
  'process-failed': 'FAILED',
};

export function isProcessingStatus(status: string | null | undefined): boolean {
  return status != null && PROCESSING_STATUSES.has(status);
}

/** `deleted_at` wins: the docs say it is how to tell a video marked for deletion, whatever its processing status. */
function statusOf(video: OmegastreamVideo): ProviderVideoStatus {
  if (video.deleted_at) return 'DELETED';
  if (isProcessingStatus(video.status)) return 'PROCESSING';
  if (video.status === 'process-completed') return 'READY';
  if (video.status === 'process-failed') return 'FAILED';
  return 'UNKNOWN';
}

export function toProviderVideo(video: OmegastreamVideo, restoreWindowDays?: number): ProviderVideo {
  const deletedAt = parseDate(video.deleted_at);
  const createdAt = parseDate(video.created_at);
  return {
    id: video.uuid,
    title: video.title ?? null,
    status: statusOf(video),
    ...(createdAt ? { createdAt } : {}),
    deletedAt: deletedAt ?? null,
    restorableUntil:
      deletedAt && restoreWindowDays !== undefined
        ? new Date(deletedAt.getTime() + restoreWindowDays * 86_400_000)
        : null,
  };
}

/**
 * When a completed or failed video may be deleted. The model has no "processed at"; `updated_at` is the last change
 * of the record (the docs' example shows a deletion leaving it alone), which is at or after the end of processing,
 * so the time given is never earlier than the provider's own.
 */
export function deletableAt(video: OmegastreamVideo): Date | undefined {
  const settled = parseDate(video.updated_at) ?? parseDate(video.created_at);
  return settled ? new Date(settled.getTime() + DELETABLE_AFTER_MS) : undefined;
}

function parseDate(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}
