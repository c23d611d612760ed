import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { OriginPolicy } from '../http/origin-policy.js';

/**
 * The WebSocketServer graphql-ws runs on: the HTTP server's own port and /graphql path, messages no larger than an
 * HTTP body, and no upgrade for a page from an origin the policy does not allow.
 */
export function createWebSocketServer(
  httpServer: Server,
  options: { origins: OriginPolicy; maxPayload: number; logger: Logger },
): WebSocketServer {
  const { origins, maxPayload, logger } = options;
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload,
    verifyClient: ({ origin, req }, done) => {
      // `ws` reports a missing Origin as undefined or, from some clients, an empty string: both mean "not a browser".
      if (origins.allows(origin || undefined, req.headers.host)) return done(true);
      logger.warn({ origin: String(origin).slice(0, 200) }, 'websocket refused: origin not allowed');
      done(false, 403, 'Origin not allowed');
    },
  });
  // ws re-emits the HTTP server's own errors (EADDRINUSE from listen, ...) here, where nobody would handle them and
  // the process would die; they are the HTTP server's to handle, and listen() does.
  wsServer.on('error', () => {});
  return wsServer;
}
