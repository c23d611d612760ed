import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { abortedError, fromGraphQLError, UnreelClientError, type GraphQLErrorLike } from './client-error.js';
import { absoluteUrl, type UnreelConnectionOptions } from './connection-options.js';
import { resolveRetryOptions, retryDelay, waitOrAbort, type RetryOptions } from './retry-policy.js';

/** One GraphQL request over HTTP POST. */
export interface GraphQLRequestOptions<TData, TVariables> extends Pick<
  UnreelConnectionOptions,
  'url' | 'headers' | 'fetch' | 'signal' | 'onRetry'
> {
  /** A typed document, e.g. `VideosDocument` from this package. */
  document: TypedDocumentNode<TData, TVariables>;
  variables: TVariables;
  /**
   * Retry network failures and retryable GraphQL errors with this backoff. Off by default: pass it only for requests
   * that are safe to repeat (queries; `deleteVideos` with an `operationId`; `restoreVideo`; `cancelDeletion`).
   */
  retry?: RetryOptions | false;
  /** Named in errors, so a failure says which deletion it was about. */
  operationId?: string;
}

/**
 * POST a typed document and return its `data`; any GraphQL error rejects with an `UnreelClientError` (the first error's
 * code, message and `field`). A POST with `content-type: application/json` is never a "simple" request, so Apollo's
 * CSRF prevention lets it through without an extra header.
 */
export async function requestGraphQL<TData, TVariables>(
  options: GraphQLRequestOptions<TData, TVariables>,
): Promise<TData> {
  const retry = options.retry ? resolveRetryOptions(options.retry) : undefined;
  const query = print(options.document);
  for (let failures = 0; ;) {
    try {
      return await postOnce(options, query);
    } catch (error) {
      if (!UnreelClientError.isInstance(error) || !error.retryable || !retry) throw error;
      failures += 1;
      if (failures >= retry.maxAttempts) throw error;
      const delayMs = retryDelay(failures, retry);
      options.onRetry?.({ attempt: failures, delayMs, error });
      await waitOrAbort(delayMs, options.signal, options.operationId);
    }
  }
}

async function postOnce<TData, TVariables>(
  options: GraphQLRequestOptions<TData, TVariables>,
  query: string,
): Promise<TData> {
  const { operationId, signal } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(absoluteUrl(options.url).href, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...options.headers,
      },
      body: JSON.stringify({ query, variables: options.variables }),
      ...(signal ? { signal } : {}),
    });
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw abortedError(operationId, signal.reason);
    throw new UnreelClientError('NETWORK', `the server could not be reached: ${messageOf(error)}`, {
      operationId,
      retryable: true,
      cause: error,
    });
  }
  let body: { data?: TData | null; errors?: GraphQLErrorLike[] } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const { status } = response;
  const first = body?.errors?.[0];
  if (first) throw fromGraphQLError(first, { operationId, status });
  if (body?.data && response.ok) return body.data;
  throw answerWithoutGraphQL(status, operationId);
}

/** An answer that is not GraphQL: a proxy's while the server is away, or something in front of the server refusing. */
function answerWithoutGraphQL(status: number, operationId: string | undefined): UnreelClientError {
  const said = `HTTP ${status} without a GraphQL answer`;
  if (status === 401) return new UnreelClientError('UNAUTHORIZED', said, { status, operationId });
  if (status === 403) return new UnreelClientError('FORBIDDEN', said, { status, operationId });
  if (status === 400 || status === 413) return new UnreelClientError('BAD_REQUEST', said, { status, operationId });
  if (status >= 500 || status === 429 || status === 408)
    return new UnreelClientError('NETWORK', said, { status, operationId, retryable: true });
  return new UnreelClientError('PROTOCOL', said, { status, operationId });
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici says only "fetch failed" and keeps the reason (ECONNREFUSED ...) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
