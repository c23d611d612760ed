import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { readBearerToken } from '../auth/bearer-token.js';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { graphqlErrorBody } from './graphql-error-body.js';
import { requestIdOf } from './request-id.js';

/** What the GraphQL context is built from; set on `res.locals` once the request is authenticated. */
export interface AuthenticatedRequest {
  tenant: string;
  requestId: string;
}

/**
 * Runs before the body is even read: an unauthenticated request costs a header lookup and a hash, not a JSON parse.
 * The answer is 401 with a GraphQL-shaped UNAUTHENTICATED error, the same for every tenant.
 */
export function authenticateRequest(tenants: TenantDirectory, metrics: UnreelMetrics, logger: Logger): RequestHandler {
  return (request, response, next) => {
    const requestId = requestIdOf(request, response);
    const result = tenants.authenticate(readBearerToken(request.headers.authorization));
    if ('failure' in result) {
      metrics.authFailed('http');
      logger.warn(
        { requestId, reason: result.failure, path: request.path },
        'request refused: missing or unknown API key',
      );
      response.setHeader('WWW-Authenticate', 'Bearer realm="unreel"');
      response
        .status(401)
        .json(
          graphqlErrorBody(
            result.failure === 'missing'
              ? 'Authentication required: send "Authorization: Bearer <API key>"'
              : 'The API key is not valid',
            'UNAUTHENTICATED',
          ),
        );
      return;
    }
    (response.locals as { unreel?: AuthenticatedRequest }).unreel = { tenant: result.tenant, requestId };
    next();
  };
}
