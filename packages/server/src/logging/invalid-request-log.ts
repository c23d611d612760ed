import type { HTTPGraphQLResponse } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { describeRefusedRequest, logRefusal } from '../http/refusal-log.js';
import { requestIdOf } from '../http/request-id.js';

/**
 * Apollo refuses some requests before any GraphQL runs (its CSRF prevention, a GET without a query, a body that is
 * not a request) and tells plugins only the error, through `invalidRequestWasReceived`, without the request. The
 * GraphQL route sees both, the request and Apollo's answer to it, so the line is written there, from the BAD_REQUEST
 * error Apollo answered with (the same condition on which Apollo calls that hook). Apollo stays the one that decides;
 * this only writes the line. (Carrying the request to the hook took an AsyncLocalStorage, whose promise hooks then
 * ran on every promise of every request: about 5 % of a `{ video }` request's time.)
 */
export class InvalidRequestLog {
  constructor(private readonly logger: Logger) {}

  /** Called with Apollo's answer to a request that never reached GraphQL's pipeline. */
  answered(request: IncomingMessage, response: ServerResponse, answer: HTTPGraphQLResponse): void {
    if ((answer.status ?? 200) < 400 || answer.body.kind !== 'complete') return;
    const error = firstError(answer.body.string);
    if (error?.extensions?.code !== 'BAD_REQUEST') return;
    const message = typeof error.message === 'string' ? error.message : '';
    const csrf = message.startsWith(CSRF_MESSAGE_START);
    logRefusal(
      this.logger,
      describeRefusedRequest(request, requestIdOf(request, response)),
      csrf ? 'csrf' : 'invalid',
      csrf
        ? 'request refused: CSRF prevention (a GET, or a form content type, without a header that forces a preflight)'
        : `request refused: ${message.trim().slice(0, 200)}`,
    );
  }
}

function firstError(body: string): { message?: unknown; extensions?: { code?: unknown } } | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
    return Array.isArray(parsed.errors) ? parsed.errors[0] : undefined;
  } catch {
    return undefined;
  }
}

/** How Apollo's CSRF prevention (preventCsrf.ts) begins its error. */
const CSRF_MESSAGE_START = 'This operation has been blocked as a potential Cross-Site Request Forgery';
