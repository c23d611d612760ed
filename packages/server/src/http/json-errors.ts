import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { graphqlErrorBody } from './graphql-error-body.js';

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
    const { status, type } = describe(error);
    const requestId = response.getHeader('x-request-id');
    if (type === 'entity.too.large') {
      response.status(413).json(
        graphqlErrorBody(`The request body is larger than ${maxBodyBytes} bytes`, 'PAYLOAD_TOO_LARGE', {
          maxBodyBytes,
        }),
      );
    } else if (type === 'entity.parse.failed') {
      response.status(400).json(graphqlErrorBody('The request body is not valid JSON', 'BAD_REQUEST'));
    } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      response.status(415).json(graphqlErrorBody('The request body must be UTF-8 JSON', 'UNSUPPORTED_MEDIA_TYPE'));
    } else if (status !== undefined && status >= 400 && status < 500) {
      response.status(status).json(graphqlErrorBody('The request could not be read', 'BAD_REQUEST'));
    } else {
      logger.error({ err: error, requestId, path: request.path }, 'unexpected error while serving a request');
      response.status(500).json(graphqlErrorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
    }
  };
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
