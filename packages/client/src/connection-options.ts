import type { RetryInfo, RetryOptions } from './retry-policy.js';

/** Where and how to reach an unreel server; every helper takes these. */
export interface UnreelConnectionOptions {
  /**
   * The GraphQL endpoint: `http(s)://host:port/graphql`, or in a browser a path such as `/graphql`, resolved against
   * the page (what a Vite dev proxy serves).
   */
  url: string;
  /** The WebSocket endpoint. Default: `url` (resolved against the page) with `ws://` or `wss://`. */
  wsUrl?: string;
  /** HTTP headers for every request, e.g. `{ authorization: 'Bearer <key>' }`. The WebSocket uses `connectionParams`. */
  headers?: Record<string, string>;
  /**
   * The WebSocket's `connection_init` payload, e.g. `{ authorization: 'Bearer <key>' }`: how a socket authenticates
   * to a server with tenants. A function is called for every (re)connection, so it can hand over a fresh key.
   */
  connectionParams?: Record<string, unknown> | (() => Record<string, unknown> | Promise<Record<string, unknown>>);
  /**
   * A WebSocket class for runtimes without a global one (Node 20: `import WebSocket from 'ws'`). Browsers and Node 22+
   * have one.
   */
  webSocketImpl?: unknown;
  /** A fetch implementation. Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /**
   * Stops waiting: the promise rejects with code `ABORTED` and the socket closes. It does not stop the deletion on the
   * server; `cancelDeletion` does.
   */
  signal?: AbortSignal;
  /** Backoff for reconnecting and for requests that are safe to repeat (see `RetryOptions`). */
  retry?: RetryOptions;
  /** Called before each wait for a retry, with why the last attempt failed: show "reconnecting…" from here. */
  onRetry?: (info: RetryInfo) => void;
}

/** `url` made absolute: a path is resolved against the page, as a browser's fetch would. */
export function absoluteUrl(url: string): URL {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  return base === undefined ? new URL(url) : new URL(url, base);
}

export function webSocketUrl(options: Pick<UnreelConnectionOptions, 'url' | 'wsUrl'>): string {
  const target = absoluteUrl(options.wsUrl ?? options.url);
  if (target.protocol === 'http:') target.protocol = 'ws:';
  else if (target.protocol === 'https:') target.protocol = 'wss:';
  return target.href;
}
