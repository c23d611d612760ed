import { formatVideoId, type ItemRecord, type OperationRecord, type ProgressEvent } from '@unreel/core';
import type { ProviderVideo } from '@unreel/provider-spec';
import { DeletionProgress } from './types/deletion-progress.type.js';
import { DeletionResult } from './types/deletion-result.type.js';
import { VideoDeletion } from './types/video-deletion.type.js';
import { Video } from './types/video.type.js';

export function toVideo(account: string, provider: string, video: ProviderVideo): Video {
  return Object.assign(new Video(), {
    id: formatVideoId(account, video.id),
    account,
    provider,
    nativeId: video.id,
    title: video.title,
    status: video.status,
    createdAt: video.createdAt ?? null,
  });
}

export function toVideoDeletion(item: ItemRecord): VideoDeletion {
  return Object.assign(new VideoDeletion(), {
    videoId: item.videoId,
    operationId: item.operationId,
    status: item.status,
    error: item.error
      ? {
          code: item.error.code,
          message: item.error.message,
          retryable: item.error.retryable,
          retryAfter: item.error.retryAfter ?? null,
        }
      : null,
    attempts: item.attempts,
    restorableUntil: item.restorableUntil,
    confirmedAt: item.confirmedAt,
    nextAttemptAt: item.nextAttemptAt,
    updatedAt: item.updatedAt,
  });
}

export function toDeletionResult(operation: OperationRecord): DeletionResult {
  return Object.assign(new DeletionResult(), {
    id: operation.id,
    status: operation.status,
    total: operation.total,
    deleted: operation.deleted,
    notFound: operation.notFound,
    failed: operation.failed,
    restored: operation.restored,
    cancelled: operation.cancelled,
    pending: operation.pending,
    createdAt: operation.createdAt,
    finishedAt: operation.finishedAt,
  });
}

export function toDeletionProgress(event: ProgressEvent): DeletionProgress {
  return Object.assign(new DeletionProgress(), {
    operationId: event.operationId,
    sequence: event.sequence,
    item: toVideoDeletion(event.item),
    total: event.total,
    completed: event.completed,
    status: event.status,
  });
}
