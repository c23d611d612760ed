import { signal } from '@preact/signals';
import {
  requestGraphQL,
  UnreelClientError,
  type GraphQLRequestOptions,
  type UnreelConnectionOptions,
} from '@unreel/client';

const KEY_STORAGE = 'unreel-console:api-key';

/** The API key for a server with tenants: this tab's sessionStorage only, never localStorage or a cookie. */
export const apiKey = signal<string>(sessionStorage.getItem(KEY_STORAGE) ?? '');

export function setApiKey(key: string): void {
  const trimmed = key.trim();
  if (trimmed) sessionStorage.setItem(KEY_STORAGE, trimmed);
  else sessionStorage.removeItem(KEY_STORAGE);
  apiKey.value = trimmed;
}

/** The console is served by the server it talks to: the page's own /graphql, HTTP and WebSocket alike. */
export function connection(): Pick<UnreelConnectionOptions, 'url' | 'headers' | 'connectionParams'> {
  const key = apiKey.value;
  if (!key) return { url: '/graphql' };
  const authorization = `Bearer ${key}`;
  return { url: '/graphql', headers: { authorization }, connectionParams: { authorization } };
}

/** A query: repeated with backoff on network failures (a server restarting), never on a refusal. */
export function query<TData, TVariables>(
  document: GraphQLRequestOptions<TData, TVariables>['document'],
  variables: TVariables,
  abort?: AbortSignal,
): Promise<TData> {
  return requestGraphQL({
    ...connection(),
    document,
    variables,
    retry: { maxAttempts: 8 },
    ...(abort ? { signal: abort } : {}),
  });
}

/** What the operator reads: a refused or missing key says so, anything else gives the server's code and message. */
export function describeError(error: unknown): string {
  if (!UnreelClientError.isInstance(error)) return error instanceof Error ? error.message : String(error);
  if (error.code === 'UNAUTHORIZED' || (error.code === 'FORBIDDEN' && error.closeCode === 4403)) {
    return apiKey.value
      ? `The server refused this API key (UNAUTHENTICATED). Check the key and save it again.`
      : `This server needs an API key (UNAUTHENTICATED): enter one above.`;
  }
  const code = error.graphqlCode ?? error.code;
  return `${code}${error.field ? ` (${error.field})` : ''}: ${error.message}`;
}
