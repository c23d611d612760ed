import {
  formatVideoId,
  type ItemRecord,
  type OperationRecord,
  type ProgressEvent,
  type SelectionRecord,
  type VideoSelection,
} from '@unreel/core';
import type { ItemError, ProviderVideo } from '@unreel/provider-spec';
import { DeletionProgress } from './types/deletion-progress.type.js';
import { DeletionResult } from './types/deletion-result.type.js';
import { VideoDeletion, type DeletionError } from './types/video-deletion.type.js';
import { Video } from './types/video.type.js';
import { DeletionSelection, type VideoSelectionInput } from './types/video-selection.type.js';

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
    error: item.error ? toDeletionError(item.error) : null,
    attempts: item.attempts,
    restorableUntil: item.restorableUntil,
    confirmedAt: item.confirmedAt,
    nextAttemptAt: item.nextAttemptAt,
    updatedAt: item.updatedAt,
  });
}

function toDeletionError(error: ItemError): DeletionError {
  return {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    retryAfter: error.retryAfter ?? null,
  };
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
    discovery: operation.selection?.discovery ?? null,
    selection: operation.selection ? toDeletionSelection(operation.selection) : null,
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
    discovery: event.discovery,
  });
}

function toDeletionSelection(record: SelectionRecord): DeletionSelection {
  const { selection } = record;
  return Object.assign(new DeletionSelection(), {
    account: selection.account,
    createdBefore: selection.createdBefore ?? null,
    createdAfter: selection.createdAfter ?? null,
    status: selection.statuses ? [...selection.statuses] : null,
    maxItems: record.maxItems,
    discovery: record.discovery,
    passes: record.pass,
    error: record.error ? toDeletionError(record.error) : null,
  });
}

/** A selection as the engine takes it: absent bounds left out, an empty status list meaning any status. */
export function toSelection(input: VideoSelectionInput): VideoSelection {
  return {
    account: input.account,
    ...(input.createdBefore ? { createdBefore: input.createdBefore } : {}),
    ...(input.createdAfter ? { createdAfter: input.createdAfter } : {}),
    ...(input.status && input.status.length > 0 ? { statuses: input.status } : {}),
  };
}
