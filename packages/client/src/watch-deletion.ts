import { abortedError, UnreelClientError } from './client-error.js';
import type { UnreelConnectionOptions } from './connection-options.js';
import { followProgress, readDeletion, type DeletionOutcome, type DeletionProgressEvent } from './progress-follower.js';
import { resolveRetryOptions } from './retry-policy.js';

export interface WatchDeletionOptions extends UnreelConnectionOptions {
  /** The deletion to follow: the `operationId` that `deleteWithProgress` generated (`onStart`) or was given. */
  operationId: string;
  /**
   * The last sequence already shown; events after it are delivered. Default 0: every event from the start. A page
   * that kept its list across a reload passes its last sequence, and gets only what it has not shown.
   */
  after?: number;
  /** Called for every event (see DeleteWithProgressOptions.onProgress), each sequence once and in order. */
  onProgress?: (event: DeletionProgressEvent) => void;
}

/**
 * Follows an existing deletion to its end, e.g. after a page reload, with `deleteWithProgress`'s guarantees: each
 * sequence after `after` once and in order, reconnecting with backoff until the operation is final or `signal` aborts.
 * An operation the server does not know rejects with `NOT_FOUND` rather than waiting for it to appear.
 */
export async function watchDeletion(options: WatchDeletionOptions): Promise<DeletionOutcome> {
  const after = options.after ?? 0;
  if (!Number.isInteger(after) || after < 0)
    throw new UnreelClientError('BAD_REQUEST', `after must be a whole number >= 0, got ${String(after)}`, {
      field: 'after',
      operationId: options.operationId,
    });
  if (options.signal?.aborted) throw abortedError(options.operationId, options.signal.reason);
  const follow = { ...options, after };
  const now = await readDeletion(follow, resolveRetryOptions(options.retry));
  return followProgress({ ...follow, knownFinal: now.status !== 'RUNNING' });
}
