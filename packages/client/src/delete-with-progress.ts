import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  type DeleteVideosMutation,
  type DeletionProgressSubscription,
  type DeletionResultFieldsFragment,
} from './generated/graphql.js';

export type DeletionProgressEvent = DeletionProgressSubscription['deletionProgress'];

export interface DeleteWithProgressOptions {
  /** http(s)://host:port/graphql */
  url: string;
  /** Defaults to `url` with ws(s):// */
  wsUrl?: string;
  ids: readonly string[];
  /** Idempotency key; one is generated when absent, so a retry of this call is safe only if you pass your own. */
  operationId?: string;
  headers?: Record<string, string>;
  connectionParams?: Record<string, unknown>;
  /** A WebSocket implementation for runtimes without a global one (Node 20: the `ws` package). */
  webSocketImpl?: unknown;
  fetch?: typeof globalThis.fetch;
  onProgress?: (event: DeletionProgressEvent) => void;
  signal?: AbortSignal;
}

export interface DeleteWithProgressResult {
  result: DeletionResultFieldsFragment;
  events: DeletionProgressEvent[];
}

/**
 * Subscribe first, then delete: the subscription waits for the operation, so not one event is missed, and it
 * completes after the last item. Resolves with the final counts and every event in sequence order.
 */
export async function deleteWithProgress(options: DeleteWithProgressOptions): Promise<DeleteWithProgressResult> {
  const operationId = options.operationId ?? globalThis.crypto.randomUUID();
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const client: Client = createClient({
    url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
    ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
    lazy: true,
    retryAttempts: 3,
    // A refused key (unreel closes with 4403) is not refused any less a second later: fail now, not after backoff.
    shouldRetry: (event) =>
      !(typeof event === 'object' && event !== null && 'code' in event && (event.code === 4403 || event.code === 4401)),
  });
  const events: DeletionProgressEvent[] = [];
  const subscription = client.iterate<DeletionProgressSubscription>({
    query: print(DeletionProgressDocument),
    variables: { operationId, after: 0 },
  });
  const stop = (): void => void subscription.return?.();
  options.signal?.addEventListener('abort', stop, { once: true });
  // Settles with the subscription's failure rather than rejecting on its own: a socket refused while the mutation is
  // still in flight must reach the caller, not end the process as an unhandled rejection.
  const consumed = (async (): Promise<unknown> => {
    for await (const message of subscription) {
      if (message.errors?.length) throw new Error(message.errors.map((error) => error.message).join('; '));
      if (!message.data) continue;
      events.push(message.data.deletionProgress);
      options.onProgress?.(message.data.deletionProgress);
    }
    return undefined;
  })().catch((error: unknown) => error ?? new Error('the progress subscription failed'));
  try {
    let deleted: DeleteVideosMutation;
    try {
      deleted = await postGraphQL<DeleteVideosMutation>(fetchImpl, options, print(DeleteVideosDocument), {
        input: { ids: options.ids, operationId, wait: false },
      });
    } catch (error) {
      // Refused (bad ids, a conflict): the operation will never exist, so stop waiting for its events.
      stop();
      await consumed;
      throw error;
    }
    const failure = await consumed;
    if (failure) throw subscriptionError(failure);
    const final = await postGraphQL<{ deletion: DeletionResultFieldsFragment | null }>(
      fetchImpl,
      options,
      print(DeletionDocument),
      {
        id: operationId,
        first: 1,
      },
    );
    return { result: final.deletion ?? deleted.deleteVideos, events };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await client.dispose();
  }
}

/** graphql-ws ends a refused or broken socket with its close event, not an Error: say what it was. */
function subscriptionError(failure: unknown): Error {
  if (failure instanceof Error) return failure;
  const { code, reason } = failure as { code?: unknown; reason?: unknown };
  return Object.assign(
    new Error(
      `the progress subscription ended: socket closed${typeof code === 'number' ? ` with ${code}` : ''}${reason ? ` (${String(reason)})` : ''}`,
    ),
    {
      code: typeof code === 'number' ? code : undefined,
    },
  );
}

async function postGraphQL<T>(
  fetchImpl: typeof globalThis.fetch,
  options: DeleteWithProgressOptions,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await fetchImpl(options.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const body = (await response.json()) as {
    data?: T | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length || !body.data) {
    const first = body.errors?.[0];
    const error = new Error(
      first ? `${first.extensions?.code ?? 'ERROR'}: ${first.message}` : `HTTP ${response.status}`,
    );
    throw Object.assign(error, { code: first?.extensions?.code });
  }
  return body.data;
}
