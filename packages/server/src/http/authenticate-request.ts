import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { readBearerToken } from '../auth/bearer-token.js';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { graphqlErrorBody } from './graphql-error-body.js';
import { pathOf, sendJson, type NodeHandler } from './node-handler.js';
import { requestIdOf } from './request-id.js';

/** What the GraphQL context is built from, once the request is authenticated (see `authenticationOf`). */
export interface AuthenticatedRequest {
  tenant: string;
  requestId: string;
}

const authenticated = new WeakMap<IncomingMessage, AuthenticatedRequest>();

/** Whose request this is: set by `authenticateRequest`, undefined for a request that did not pass it. */
export function authenticationOf(request: IncomingMessage): AuthenticatedRequest | undefined {
  return authenticated.get(request);
}

/**
 * Runs before the body is even read: an unauthenticated request costs a header lookup and a hash, not a JSON parse.
 * The answer is 401 with a GraphQL-shaped UNAUTHENTICATED error, the same for every tenant.
 */
export function authenticateRequest(tenants: TenantDirectory, metrics: UnreelMetrics, logger: Logger): NodeHandler {
  return (request, response, next) => {
    const requestId = requestIdOf(request, response);
    const result = tenants.authenticate(readBearerToken(request.headers.authorization));
    if ('failure' in result) {
      metrics.authFailed('http');
      logger.warn(
        { requestId, reason: result.failure, path: pathOf(request) },
        'request refused: missing or unknown API key',
      );
      response.setHeader('WWW-Authenticate', 'Bearer realm="unreel"');
      sendJson(
        response,
        401,
        graphqlErrorBody(
          result.failure === 'missing'
            ? 'Authentication required: send "Authorization: Bearer <API key>"'
            : 'The API key is not valid',
          'UNAUTHENTICATED',
        ),
      );
      return;
    }
    authenticated.set(request, { tenant: result.tenant, requestId });
    next();
  };
}
