import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { abortedError, fromCloseEvent, fromGraphQLError, UnreelClientError } from './client-error.js';
import { webSocketUrl, type UnreelConnectionOptions } from './connection-options.js';
import {
  DeletionDocument,
  DeletionProgressDocument,
  type DeletionProgressSubscription,
  type DeletionResultFieldsFragment,
} from './generated/graphql.js';
import { requestGraphQL } from './graphql-request.js';
import { resolveRetryOptions, retryDelay, waitOrAbort, type ResolvedRetryOptions } from './retry-policy.js';

/**
 * One event of `deletionProgress`: an item that reached a new state (final, waiting SCHEDULED, or with a selection,
 * just discovered), with the operation's counts after it.
 */
export type DeletionProgressEvent = DeletionProgressSubscription['deletionProgress'];

/** What `deleteWithProgress` and `watchDeletion` resolve with. */
export interface DeletionOutcome {
  /** The operation once final: its status and counts, read after the last event. */
  result: DeletionResultFieldsFragment;
  /** Every event delivered (after `after`), each sequence once, in order. */
  events: DeletionProgressEvent[];
}

export interface FollowOptions extends UnreelConnectionOptions {
  operationId: string;
  after: number;
  onProgress?: ((event: DeletionProgressEvent) => void) | undefined;
  /** Called once the first socket is subscribed, or failed in a way a retry may mend (fatal failures reject). */
  onFirstAttempt?: () => void;
  /** The caller already knows the operation is final: one subscription that completes has delivered everything. */
  knownFinal?: boolean;
}

type AttemptEnd =
  | { kind: 'completed' }
  | { kind: 'failed'; error: UnreelClientError }
  | { kind: 'gap'; got: number }
  | { kind: 'callback'; error: unknown };

/**
 * Follows `deletionProgress` until the operation is final: one socket per attempt, resubscribed after any failure with
 * `after` = the last sequence delivered, so the server replays exactly what was missed; a sequence seen before is
 * dropped, and one that skips ahead is never delivered (the socket is dropped and resubscribed from the last one).
 *
 * The end is proven, not assumed: the server also completes a subscription when it shuts down, so a completion counts
 * only after a final status was delivered, or when the subscription began after the operation was known to be final.
 */
export async function followProgress(options: FollowOptions): Promise<DeletionOutcome> {
  const retry = resolveRetryOptions(options.retry);
  const { operationId, signal } = options;
  const events: DeletionProgressEvent[] = [];
  let last = options.after;
  let final = false;
  let knownFinal = options.knownFinal ?? false;
  let failures = 0;
  let gapSeenAt: number | undefined;
  let firstAttempt = true;
  const settleFirst = (): void => {
    if (!firstAttempt) return;
    firstAttempt = false;
    options.onFirstAttempt?.();
  };

  const deliver = (event: DeletionProgressEvent): 'ok' | 'gap' => {
    if (event.sequence <= last) return 'ok';
    if (event.sequence !== last + 1) return 'gap';
    last = event.sequence;
    // Progress, not a mere connection, ends a run of failures: a socket accepted and dropped at once is still one.
    failures = 0;
    final = event.status !== 'RUNNING';
    events.push(event);
    options.onProgress?.(event);
    return 'ok';
  };

  const backoff = async (error: UnreelClientError): Promise<void> => {
    failures += 1;
    if (failures >= retry.maxAttempts) throw error;
    const delayMs = retryDelay(failures, retry);
    options.onRetry?.({ attempt: failures, delayMs, error });
    await waitOrAbort(delayMs, signal, operationId);
  };

  for (;;) {
    if (signal?.aborted) throw abortedError(operationId, signal.reason);
    const subscribedAfterFinal = knownFinal;
    const end = await subscribeOnce(options, last, deliver, settleFirst);
    if (end.kind === 'callback') throw end.error;
    if (end.kind === 'failed') {
      if (!end.error.retryable) throw end.error;
      settleFirst();
      await backoff(end.error);
      continue;
    }
    if (end.kind === 'gap') {
      // The server promises a gapless replay: one gap is a hiccup worth a resubscription, the same gap twice a bug.
      const error = new UnreelClientError('PROTOCOL', `deletionProgress skipped from sequence ${last} to ${end.got}`, {
        operationId,
      });
      if (gapSeenAt === last) throw error;
      gapSeenAt = last;
      continue;
    }
    if (final || subscribedAfterFinal) break;
    const now = await readDeletion(options, retry);
    if (now.status !== 'RUNNING') {
      knownFinal = true;
      continue;
    }
    // Completed while running: the server ended it on its way down. Come back after a wait, from `last`.
    await backoff(new UnreelClientError('NETWORK', 'the progress subscription ended early', { operationId }));
  }
  return { result: await readDeletion(options, retry), events };
}

/** The operation's counts, retried like the stream is (a read is safe to repeat). */
export async function readDeletion(
  options: FollowOptions,
  retry: ResolvedRetryOptions,
): Promise<DeletionResultFieldsFragment> {
  const { deletion } = await requestGraphQL({
    ...options,
    document: DeletionDocument,
    variables: { id: options.operationId, first: 1 },
    retry,
  });
  if (!deletion)
    throw new UnreelClientError('NOT_FOUND', `no deletion "${options.operationId}" on this server`, {
      operationId: options.operationId,
      field: 'operationId',
    });
  // The query also pages items; the outcome is the operation's own fields.
  const { items: _items, ...result } = deletion;
  return result;
}

/** One socket, one subscription from `after`, until it completes, fails, skips a sequence, or the caller aborts. */
function subscribeOnce(
  options: FollowOptions,
  after: number,
  deliver: (event: DeletionProgressEvent) => 'ok' | 'gap',
  onConnected: () => void,
): Promise<AttemptEnd> {
  const { operationId, signal } = options;
  let lastClose: { code: number; reason: string } | undefined;
  const client: Client = createClient({
    url: webSocketUrl(options),
    ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
    lazy: true,
    // Reconnecting is ours to do: graphql-ws would resubscribe with the first `after` it was given.
    retryAttempts: 0,
    shouldRetry: () => false,
    on: {
      connected: onConnected,
      closed: (event) => {
        const { code, reason } = event as { code?: unknown; reason?: unknown };
        if (typeof code === 'number') lastClose = { code, reason: typeof reason === 'string' ? reason : '' };
      },
    },
  });
  return new Promise<AttemptEnd>((resolve) => {
    let settled = false;
    const finish = (end: AttemptEnd): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      void client.dispose();
      resolve(end);
    };
    const onAbort = (): void => finish({ kind: 'failed', error: abortedError(operationId, signal?.reason) });
    const unsubscribe = client.subscribe<DeletionProgressSubscription>(
      { query: print(DeletionProgressDocument), variables: { operationId, after } },
      {
        next: (message) => {
          if (settled) return;
          if (message.errors?.length) {
            const [first] = message.errors;
            return finish({ kind: 'failed', error: fromGraphQLError(first ?? {}, { operationId }) });
          }
          if (!message.data) return;
          const event = message.data.deletionProgress;
          try {
            if (deliver(event) === 'gap') finish({ kind: 'gap', got: event.sequence });
          } catch (error) {
            finish({ kind: 'callback', error });
          }
        },
        error: (error: unknown) => finish({ kind: 'failed', error: socketError(error, lastClose, operationId) }),
        complete: () => finish({ kind: 'completed' }),
      },
    );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * graphql-ws ends a subscription with what the socket said: a close event, an `error` event before it (a browser's
 * carries nothing; Node's `ws` says e.g. "Unexpected server response: 403"), or a list of GraphQL errors.
 */
function socketError(
  error: unknown,
  lastClose: { code: number; reason: string } | undefined,
  operationId: string,
): UnreelClientError {
  if (Array.isArray(error)) return fromGraphQLError((error[0] ?? {}) as object, { operationId });
  const { code, reason } = (error ?? {}) as { code?: unknown; reason?: unknown };
  if (typeof code === 'number') return fromCloseEvent(code, typeof reason === 'string' ? reason : '', operationId);
  const detail = error instanceof Error ? `: ${error.message}` : '';
  const close = lastClose ? fromCloseEvent(lastClose.code, lastClose.reason, operationId) : undefined;
  return new UnreelClientError('NETWORK', `the progress socket failed${detail}`, {
    operationId,
    closeCode: close?.closeCode,
    closeReason: close?.closeReason,
    retryable: true,
    cause: error,
  });
}
