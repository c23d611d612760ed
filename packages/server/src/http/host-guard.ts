import type { Logger } from 'pino';
import { graphqlErrorBody } from './graphql-error-body.js';
import type { HostPolicy } from './host-policy.js';
import { pathOf, sendJson, type NodeHandler } from './node-handler.js';
import { describeRefusedRequest, logRefusal } from './refusal-log.js';
import { requestIdOf } from './request-id.js';

/** Probes reach a server by whatever address they have (a pod IP): these two tell nothing and change nothing. */
const ANY_HOST_PATHS = new Set(['/healthz', '/readyz']);

/** Refuses, before anything else runs, a request for a Host this server does not serve (see HostPolicy). */
export function hostGuard(hosts: HostPolicy, logger: Logger): NodeHandler {
  return (request, response, next) => {
    if (ANY_HOST_PATHS.has(pathOf(request)) || hosts.allows(request.headers.host)) {
      next();
      return;
    }
    const refused = describeRefusedRequest(request, requestIdOf(request, response));
    logRefusal(logger, refused, 'host', 'request refused: host not allowed');
    sendJson(response, 403, graphqlErrorBody(hostRefusal(refused.host), 'HOST_NOT_ALLOWED'));
  };
}

/** The answer to a refused Host, over HTTP and on a refused WebSocket upgrade. */
export function hostRefusal(host: string | undefined): string {
  return `Host ${JSON.stringify(host ?? '')} is not served here (a guard against DNS rebinding): use localhost, 127.0.0.1 or [::1], or add the name to server.allowedHosts`;
}
