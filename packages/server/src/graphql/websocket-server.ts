import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { graphqlErrorBody } from '../http/graphql-error-body.js';
import { hostRefusal } from '../http/host-guard.js';
import type { HostPolicy } from '../http/host-policy.js';
import type { OriginPolicy } from '../http/origin-policy.js';
import { describeRefusedRequest, logRefusal } from '../http/refusal-log.js';
import { requestIdFrom } from '../http/request-id.js';

/**
 * The WebSocketServer graphql-ws runs on: the HTTP server's own port and /graphql path, messages no larger than an
 * HTTP body, and no upgrade for a Host this server does not serve or a page from an origin the policy does not
 * allow. A refused upgrade is answered 403 with a JSON body saying why (the same as over HTTP) and logged.
 */
export function createWebSocketServer(
  httpServer: Server,
  options: { origins: OriginPolicy; hosts: HostPolicy; maxPayload: number; logger: Logger },
): WebSocketServer {
  const { origins, hosts, maxPayload, logger } = options;
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload,
    verifyClient: ({ origin, req }, done) => {
      // `ws` reports a missing Origin as undefined or, from some clients, an empty string: both mean "not a browser".
      const refusal = !hosts.allows(req.headers.host)
        ? { reason: 'host', code: 'HOST_NOT_ALLOWED', message: hostRefusal(req.headers.host) }
        : !origins.allows(origin || undefined, req.headers.host)
          ? { reason: 'origin', code: 'ORIGIN_NOT_ALLOWED', message: origins.refusal(origin) }
          : undefined;
      if (!refusal) return done(true);
      const requestId = requestIdFrom(req.headers['x-request-id']);
      logRefusal(
        logger,
        describeRefusedRequest(req, requestId),
        refusal.reason,
        `websocket refused: ${refusal.reason} not allowed`,
      );
      // A browser hides this body from the page (it sees a failed socket); a Node client reads it, and the log says it.
      done(false, 403, JSON.stringify(graphqlErrorBody(refusal.message, refusal.code)), {
        'Content-Type': 'application/json',
        'x-request-id': requestId,
      });
    },
  });
  // ws re-emits the HTTP server's own errors (EADDRINUSE from listen, ...) here, where nobody would handle them and
  // the process would die; they are the HTTP server's to handle, and listen() does.
  wsServer.on('error', () => {});
  return wsServer;
}
