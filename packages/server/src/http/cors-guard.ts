import cors from 'cors';
import type { Logger } from 'pino';
import { graphqlErrorBody } from './graphql-error-body.js';
import { sendJson, type NodeHandler } from './node-handler.js';
import type { OriginPolicy } from './origin-policy.js';
import { describeRefusedRequest, logRefusal, type RefusedRequest } from './refusal-log.js';
import { requestIdOf } from './request-id.js';

const ALLOWED_METHODS = ['GET', 'POST'];

/**
 * Request headers a page may send: ours (authorization, x-request-id), Apollo's CSRF ones, what Apollo Client's
 * clientAwareness and urql add, and W3C trace context, which browser tracing (OpenTelemetry) puts on every fetch.
 */
const ALLOWED_REQUEST_HEADERS = [
  'content-type',
  'accept',
  'authorization',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'traceparent',
  'tracestate',
  'baggage',
];

const allowedHeaderSet = new Set(ALLOWED_REQUEST_HEADERS);

/**
 * CORS for /graphql. An origin the policy refuses gets 403 and a reason (a preflight and a request alike), as does
 * a preflight asking for a method or header that is not allowed: the browser would fail it anyway, but silently,
 * and the log line says which. Everything else gets the `cors` package's headers.
 */
export function corsGuard(origins: OriginPolicy, logger: Logger): NodeHandler {
  const headers = cors({
    // Checked below, before this runs: what reaches it is allowed, and its origin is echoed.
    origin: true,
    methods: ALLOWED_METHODS,
    allowedHeaders: ALLOWED_REQUEST_HEADERS,
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  });
  return (request, response, next) => {
    const { origin } = request.headers;
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    const refuse = (reason: string, code: string, message: string, detail: Record<string, string> = {}): void => {
      const refused: RefusedRequest = describeRefusedRequest(request, requestIdOf(request, response));
      const what = preflight ? 'preflight' : 'request';
      logRefusal(logger, refused, reason, `${what} refused: ${reason} not allowed`, detail);
      sendJson(response, 403, graphqlErrorBody(message, code));
    };
    if (origin !== undefined && !origins.allows(origin, request.headers.host)) {
      refuse('origin', 'ORIGIN_NOT_ALLOWED', origins.refusal(origin));
      return;
    }
    if (preflight) {
      const method = String(request.headers['access-control-request-method']).toUpperCase();
      if (!ALLOWED_METHODS.includes(method)) {
        const shown = method.slice(0, 20);
        refuse('method', 'PREFLIGHT_REFUSED', `Method ${shown} is not allowed: use GET or POST`, { requested: shown });
        return;
      }
      const unknown = requestedHeaders(request.headers['access-control-request-headers']).filter(
        (header) => !allowedHeaderSet.has(header),
      );
      if (unknown.length > 0) {
        const shown = unknown.join(', ').slice(0, 200);
        refuse(
          'header',
          'PREFLIGHT_REFUSED',
          `Request header ${shown} is not allowed; allowed are ${ALLOWED_REQUEST_HEADERS.join(', ')}`,
          { requested: shown },
        );
        return;
      }
    }
    headers(request, response, next);
  };
}

function requestedHeaders(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((header) => header.trim().toLowerCase())
    .filter((header) => header !== '');
}
