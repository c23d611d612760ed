import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { describeRefusedRequest, logRefusal, type RefusedRequest } from '../http/refusal-log.js';
import { requestIdOf } from '../http/request-id.js';

/**
 * Apollo refuses some requests before any GraphQL runs (its CSRF prevention, a GET without a query, a body that is
 * not a request) and tells plugins only the error, through `invalidRequestWasReceived`, without the request. The
 * request is carried to that hook here: Apollo's handling runs inside the express handler that `track` wraps, so
 * the hook sees the request it refused. Apollo stays the one that decides; this only writes the line.
 */
export class InvalidRequestLog {
  private readonly current = new AsyncLocalStorage<RefusedRequest>();

  constructor(private readonly logger: Logger) {}

  /** Mounted immediately before Apollo's middleware. */
  readonly track: RequestHandler = (request, response, next) => {
    this.current.run(describeRefusedRequest(request, requestIdOf(request, response)), next);
  };

  readonly plugin: ApolloServerPlugin = {
    invalidRequestWasReceived: async ({ error }) => {
      const request = this.current.getStore();
      if (!request) return;
      const csrf = error.message.startsWith(CSRF_MESSAGE_START);
      logRefusal(
        this.logger,
        request,
        csrf ? 'csrf' : 'invalid',
        csrf
          ? 'request refused: CSRF prevention (a GET, or a form content type, without a header that forces a preflight)'
          : `request refused: ${error.message.trim().slice(0, 200)}`,
      );
    },
  };
}

/** How Apollo's CSRF prevention (preventCsrf.ts) begins its error. */
const CSRF_MESSAGE_START = 'This operation has been blocked as a potential Cross-Site Request Forgery';
