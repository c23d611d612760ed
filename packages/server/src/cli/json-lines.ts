import type { DeletionProgressEvent, DeletionResultFieldsFragment } from '@unreel/client';

// The shapes `--json` prints, one object per line, each with a `type`. They are documented in the README ("Command
// line") and only grow: scripts read them, so a field is never renamed or removed.

export function operationLine(operationId: string): object {
  return { type: 'operation', operationId };
}

export function itemLine(event: DeletionProgressEvent): object {
  const { item } = event;
  return {
    type: 'item',
    operationId: event.operationId,
    sequence: event.sequence,
    completed: event.completed,
    total: event.total,
    discovery: event.discovery ?? null,
    videoId: item.videoId,
    status: item.status,
    attempts: item.attempts,
    error: item.error
      ? {
          code: item.error.code,
          message: item.error.message,
          retryable: item.error.retryable,
          retryAfter: item.error.retryAfter ?? null,
        }
      : null,
  };
}

export function resultLine(result: DeletionResultFieldsFragment): object {
  return {
    type: 'result',
    operationId: result.id,
    status: result.status,
    total: result.total,
    deleted: result.deleted,
    notFound: result.notFound,
    failed: result.failed,
    restored: result.restored,
    cancelled: result.cancelled,
    pending: result.pending,
    discovery: result.discovery ?? null,
    createdAt: result.createdAt,
    finishedAt: result.finishedAt ?? null,
  };
}

export function interruptedLine(operationId: string, after: number): object {
  return { type: 'interrupted', operationId, after };
}

export function errorLine(code: string, message: string, operationId?: string): object {
  return { type: 'error', code, message, ...(operationId === undefined ? {} : { operationId }) };
}

/** `unreel delete --dry-run`: what the selection matches now (`complete: false`: at least `count`). */
export function selectionLine(count: number, complete: boolean): object {
  return { type: 'selection', count, complete };
}

/** A selection's discovery ended: DONE (every match found), CAPPED (--max-items reached), CANCELLED or FAILED. */
export function discoveryLine(operationId: string, discovery: string, total: number): object {
  return { type: 'discovery', operationId, discovery, total };
}
