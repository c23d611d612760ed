import type { RequestHandler } from 'express';
import { readBearerToken } from '../auth/bearer-token.js';
import type { ApiKeySet } from '../auth/api-key-set.js';
import type { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { graphqlErrorBody } from './graphql-error-body.js';

/** GET /metrics in Prometheus' text format; behind its own bearer key when one is configured. */
export function metricsEndpoint(metrics: UnreelMetrics, key: ApiKeySet<'metrics'> | undefined): RequestHandler {
  return (request, response, next) => {
    if (key && key.match(readBearerToken(request.headers.authorization) ?? '') === undefined) {
      metrics.authFailed('http');
      response.setHeader('WWW-Authenticate', 'Bearer realm="unreel-metrics"');
      response
        .status(401)
        .json(
          graphqlErrorBody(
            'Authentication required: send "Authorization: Bearer <metrics API key>"',
            'UNAUTHENTICATED',
          ),
        );
      return;
    }
    metrics.registry.metrics().then((text) => {
      response.setHeader('content-type', metrics.registry.contentType);
      response.send(text);
    }, next);
  };
}
