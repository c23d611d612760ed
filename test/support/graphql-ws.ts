import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** `connectionParams` carries a tenant's `authorization` when tenants are configured. */
export function wsClient(
  wsUrl: string,
  options: { connectionParams?: Record<string, unknown>; onClosed?: (event: unknown) => void } = {},
): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
    ...(options.onClosed ? { on: { closed: options.onClosed } } : {}),
  });
}

export interface Collected<T> {
  results: { data?: T | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }[];
  /** Resolves when the server completes the operation. */
  done: Promise<void>;
  stop(): void;
}

/** Subscribes (or runs any operation) over graphql-ws, collecting every result until completion. */
export function collect<T, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<T, V>,
  variables: V,
  onResult?: (result: { data?: T | null }) => void,
): Collected<T> {
  const results: Collected<T>['results'] = [];
  let stop = (): void => {};
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe<T>(
      { query: print(document), variables },
      {
        next: (result) => {
          results.push(result as Collected<T>['results'][number]);
          onResult?.(result as { data?: T | null });
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: resolve,
      },
    );
  });
  return { results, done, stop: () => stop() };
}
