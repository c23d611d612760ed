import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A request handler on node:http's own request and response, in express's shape: express mounts it as it is (its
 * Request and Response extend these), and the GraphQL endpoint runs it without express (graphql-endpoint.ts).
 */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** Answers with a JSON body, as express's `response.status(status).json(body)` does (without its ETag). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(json));
  response.end(json);
}

/**
 * The path asked for, without its query string (never logged: a GET's carries the operation's variables). Express
 * rewrites `url` below a mount point; `originalUrl` is what was asked for.
 */
export function pathOf(request: IncomingMessage & { originalUrl?: string }): string {
  const url = request.originalUrl ?? request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
