import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { graphqlErrorBody } from './graphql-error-body.js';
import { pathOf, sendJson } from './node-handler.js';

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
}

/**
 * Express answers its own errors (a body too large, JSON that does not parse) with an HTML page that carries a stack
 * trace outside production. These are answered as GraphQL-shaped JSON instead, with a code and no internals.
 */
export function jsonErrors(logger: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const refusal = bodyRefusal(error, maxBodyBytes);
    if (refusal) {
      sendJson(response, refusal.status, refusal.body);
    } else {
      serverError(logger, error, request, response);
    }
  };
}

/**
 * The answer to a request whose body could not be read (too large, not JSON, an encoding or charset not taken), as
 * body-parser and readJsonBody type their errors; undefined for any other error.
 */
export function bodyRefusal(
  error: unknown,
  maxBodyBytes: number,
): { status: number; body: ReturnType<typeof graphqlErrorBody> } | undefined {
  const { status, type } = describe(error);
  if (type === 'entity.too.large')
    return {
      status: 413,
      body: graphqlErrorBody(`The request body is larger than ${maxBodyBytes} bytes`, 'PAYLOAD_TOO_LARGE', {
        maxBodyBytes,
      }),
    };
  if (type === 'entity.parse.failed')
    return { status: 400, body: graphqlErrorBody('The request body is not valid JSON', 'BAD_REQUEST') };
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return {
      status: 415,
      body: graphqlErrorBody('The request body must be UTF-8 JSON', 'UNSUPPORTED_MEDIA_TYPE'),
    };
  if (status !== undefined && status >= 400 && status < 500)
    return { status, body: graphqlErrorBody('The request could not be read', 'BAD_REQUEST') };
  return undefined;
}

/** An error nobody expected: logged with the request's id, answered 500 without internals. */
export function serverError(logger: Logger, error: unknown, request: IncomingMessage, response: ServerResponse): void {
  logger.error(
    { err: error, requestId: response.getHeader('x-request-id'), path: pathOf(request) },
    'unexpected error while serving a request',
  );
  if (response.headersSent) response.destroy();
  else sendJson(response, 500, graphqlErrorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
}

/** Unknown paths get JSON too, not Express's HTML page. */
export function notFound(): RequestHandler {
  return (_request, response) => {
    response.status(404).json(graphqlErrorBody('Nothing is served at this path: the API is at /graphql', 'NOT_FOUND'));
  };
}

function describe(error: unknown): { status: number | undefined; type: string | undefined } {
  if (error === null || typeof error !== 'object') return { status: undefined, type: undefined };
  const { status, statusCode, type } = error as HttpError;
  return { status: status ?? statusCode, type };
}
