import type { Express } from 'express';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config-schema.js';
import type { UnreelServices } from '../di/unreel-services.js';
import { consoleRoute } from './console-route.js';
import { corsGuard } from './cors-guard.js';
import type { GraphqlEndpoint } from './graphql-endpoint.js';
import { hostGuard } from './host-guard.js';
import type { HostPolicy } from './host-policy.js';
import { graphiqlRoute } from './graphiql-route.js';
import { jsonErrors, notFound } from './json-errors.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import type { OriginPolicy } from './origin-policy.js';
import { webhookRoute } from './webhook-route.js';

export interface UnreelRoutesOptions {
  /** GraphQL over HTTP, which the server's request listener gives most of /graphql before express sees it. */
  graphql: GraphqlEndpoint;
  services: Pick<UnreelServices, 'accounts' | 'tenants' | 'engine' | 'metrics' | 'metricsKey' | 'cluster'>;
  settings: ServerConfig;
  origins: OriginPolicy;
  hosts: HostPolicy;
  /** GraphiQL for a browser at GET /graphql: on exactly when introspection is. */
  graphiql: boolean;
  logger: Logger;
  /** True once the server has begun to close: /readyz answers 503 from then on. */
  isDraining(): boolean;
}

/**
 * Everything served over plain HTTP, for the Host names this server serves: /healthz, /readyz, /metrics, provider
 * webhooks, the console (/console), GraphiQL, and what of /graphql the GraphqlEndpoint did not take first; anything
 * else, and any error, answered as JSON.
 */
export function mountUnreelRoutes(app: Express, options: UnreelRoutesOptions): void {
  const { graphql, services, settings, origins, hosts, graphiql, logger, isDraining } = options;
  const { accounts, tenants, engine, metrics, metricsKey } = services;
  app.disable('x-powered-by');
  // Before every route: a request for a name this server does not serve is nobody's (DNS rebinding).
  app.use(hostGuard(hosts, logger));
  // A page, not an API call: served before CORS and authentication (the key goes into its Headers tab).
  app.get('/graphql', graphiqlRoute({ enabled: graphiql }));
  // Then GraphQL itself (what the server's request listener did not take before express: see GraphqlEndpoint).
  app.use('/graphql', graphql.handler);
  // The operator console: static files, behind the same origin rules as the API it calls.
  app.use('/console', corsGuard(origins, logger), consoleRoute());
  app.get('/healthz', (_request, response) => void response.json({ status: 'ok' }));
  app.get('/readyz', (_request, response) => {
    if (isDraining()) {
      response.status(503).json({ status: 'draining' });
      return;
    }
    // Reads still work, but nothing new can be accepted: a balancer should send mutations elsewhere until it passes.
    const journal = engine.journalStatus();
    if (!journal.writable) {
      response
        .status(503)
        .json({ status: 'journal-unavailable', reason: journal.reason, since: journal.since.toISOString() });
      return;
    }
    const cluster = services.cluster?.unready();
    if (cluster !== undefined) {
      response.status(503).json(cluster);
      return;
    }
    response.json({ status: 'ready' });
  });
  if (settings.metrics.enabled) app.get('/metrics', metricsEndpoint(metrics, metricsKey));
  app.use(webhookRoute({ accounts, tenants, engine, logger, metrics, maxBodyBytes: settings.maxBodyBytes }));
  app.use(notFound());
  app.use(jsonErrors(logger, settings.maxBodyBytes));
}
