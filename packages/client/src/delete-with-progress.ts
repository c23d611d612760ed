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
  });
  const events: DeletionProgressEvent[] = [];
  try {
    const subscription = client.iterate<DeletionProgressSubscription>({
      query: print(DeletionProgressDocument),
      variables: { operationId, after: 0 },
    });
    const consumed = (async () => {
      for await (const message of subscription) {
        if (message.errors?.length) throw new Error(message.errors.map((error) => error.message).join('; '));
        if (!message.data) continue;
        events.push(message.data.deletionProgress);
        options.onProgress?.(message.data.deletionProgress);
      }
    })();
    options.signal?.addEventListener('abort', () => void subscription.return?.(), { once: true });

    const deleted = await postGraphQL<DeleteVideosMutation>(fetchImpl, options, print(DeleteVideosDocument), {
      input: { ids: options.ids, operationId, wait: false },
    });
    await consumed;
    const final = await postGraphQL<{ deletion: DeletionResultFieldsFragment | null }>(fetchImpl, options, print(DeletionDocument), {
      id: operationId,
      first: 1,
    });
    return { result: final.deletion ?? deleted.deleteVideos, events };
  } finally {
    await client.dispose();
  }
}

async function postGraphQL<T>(
  fetchImpl: typeof globalThis.fetch,
  options: DeleteWithProgressOptions,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await fetchImpl(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...options.headers },
    body: JSON.stringify({ query, variables }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const body = (await response.json()) as { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    const first = body.errors?.[0];
    const error = new Error(first ? `${first.extensions?.code ?? 'ERROR'}: ${first.message}` : `HTTP ${response.status}`);
    throw Object.assign(error, { code: first?.extensions?.code });
  }
  return body.data;
}
