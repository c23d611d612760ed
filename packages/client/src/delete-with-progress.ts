import { abortedError, UnreelClientError } from './client-error.js';
import type { UnreelConnectionOptions } from './connection-options.js';
import { DeleteVideosDocument, type VideoSelectionInput } from './generated/graphql.js';
import { requestGraphQL } from './graphql-request.js';
import { newOperationId } from './operation-id.js';
import { followProgress, type DeletionOutcome, type DeletionProgressEvent } from './progress-follower.js';

/** What to delete: ids, or every video of one account a selection matches (see `selectVideos` for a preview). */
export type DeletionTarget =
  | {
      /** Video ids, `<account>:<provider's id>`; duplicates are ignored by the server. */
      ids: readonly string[];
      selection?: undefined;
      maxItems?: undefined;
    }
  | {
      ids?: undefined;
      /** Discovered page by page while deleting; the operation is not final while its discovery goes on. */
      selection: VideoSelectionInput;
      /** At most this many videos (required with a selection). */
      maxItems: number;
    };

export type DeleteWithProgressOptions = UnreelConnectionOptions & DeletionTarget & DeleteWithProgressSettings;

interface DeleteWithProgressSettings {
  /**
   * The idempotency key naming this deletion. Generated when absent (a random UUID, in secure contexts or not); pass
   * your own, or keep `onStart`'s, to find the operation again (`watchDeletion`, `cancelDeletion`) after a reload.
   */
  operationId?: string;
  /** Called once with the `operationId`, before anything is sent: store it (URL, sessionStorage) to resume later. */
  onStart?: (operationId: string) => void;
  /**
   * Called for every event, each sequence once and in order, across reconnects and restarts: an item that became final
   * (or waits, SCHEDULED), and with a selection, each item as it is discovered (PENDING, `total` grown).
   */
  onProgress?: (event: DeletionProgressEvent) => void;
}

export type DeleteWithProgressResult = DeletionOutcome;

/**
 * Deletes `ids` (or a `selection`) and follows every item to its end. The subscription goes first: a socket the server refuses for good
 * (a wrong key: 4403) fails the call before anything is deleted. Then the mutation, retried on network failures with
 * the same `operationId` (the server answers a repeat with the same operation, so this is safe). Then the progress
 * stream, resubscribed after every reconnect from the last sequence seen, with backoff, until the operation is final
 * or `signal` aborts. Rejects with an `UnreelClientError` carrying the `operationId`.
 */
export async function deleteWithProgress(options: DeleteWithProgressOptions): Promise<DeleteWithProgressResult> {
  const operationId = options.operationId ?? newOperationId();
  options.onStart?.(operationId);
  // Our own signal as well as the caller's: a refused mutation must stop the subscription, which would wait forever.
  const stop = new AbortController();
  const onCallerAbort = (): void => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) throw abortedError(operationId, options.signal.reason);
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    let subscribed!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (subscribed = resolve));
    const following = followProgress({
      ...options,
      operationId,
      after: 0,
      signal: stop.signal,
      onFirstAttempt: () => subscribed(),
    });
    // Observed here, awaited below: a socket refused while the mutation is in flight must not go unhandled.
    const outcome = following.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const early = await Promise.race([firstAttempt.then(() => undefined), outcome]);
    if (early && !early.ok) throw early.error;
    try {
      await requestGraphQL({
        ...options,
        document: DeleteVideosDocument,
        variables: {
          input: {
            ...(options.ids ? { ids: [...options.ids] } : { selection: options.selection, maxItems: options.maxItems }),
            operationId,
            wait: false,
          },
        },
        operationId,
        retry: options.retry ?? {},
        signal: stop.signal,
      });
    } catch (error) {
      // Refused (bad ids, a conflict, a wrong key): the operation will never exist, so stop waiting for its events.
      stop.abort();
      await outcome;
      throw error;
    }
    const done = await outcome;
    if (!done.ok) throw done.error;
    return done.value;
  } catch (error) {
    if (options.signal?.aborted) throw abortedError(operationId, options.signal.reason);
    throw UnreelClientError.isInstance(error) ? error.withOperationId(operationId) : error;
  } finally {
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}
