import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, type Server } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { SocketWriter } from './socket-writer.js';

/** What graphql-ws hands our hooks as `ctx.extra`. */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  /** Where everything sent to this socket goes (batched per tick, bounded); progress delivery writes here too. */
  readonly writer: SocketWriter;
}

/** Per-socket send buffer bounds: see SocketWriter. */
export interface SocketBufferLimits {
  maxBufferedBytes: number;
  slowCloseMs: number;
}

/** Messages only a server sends: a client sending one breaks the protocol, which is the client's fault, not ours. */
const SERVER_ONLY_TYPES = new Set(['connection_ack', 'next', 'error']);

/**
 * Connects a graphql-ws server to `ws` sockets. graphql-ws's own `useServer` (graphql-ws/use/ws) does the same in
 * the same lines, keep-alive included, but cannot be told where to report or how to close: it closes with 4500
 * (internal error) when a client sends a message only a server may send, and writes a frame `ws` refused (too
 * large, invalid UTF-8) to console.error as an internal error, instead of to our logger. Garbage from a client is
 * never reported, to it or to the operator, as an internal error of ours; this copy differs from `useServer` there,
 * in counting sockets in our metrics, and in writing through a SocketWriter (frames batched per tick, a bounded
 * buffer, 4431 for a socket that stops reading).
 */
export function serveGraphqlWs(
  wsServer: WebSocketServer,
  server: Server<SocketExtra>,
  {
    logger,
    metrics,
    keepAliveMs = 12_000,
    buffer = { maxBufferedBytes: 131_072, slowCloseMs: 10_000 },
  }: { logger: Logger; metrics: UnreelMetrics; keepAliveMs?: number; buffer?: SocketBufferLimits },
): { dispose(): Promise<void> } {
  wsServer.options.handleProtocols = handleProtocols;
  wsServer.on('connection', (socket, request) => {
    metrics.socketOpened();
    // Frame-level faults (too large, invalid UTF-8, bad opcode): ws has already closed the socket with the right code.
    socket.on('error', (error: Error & { code?: string }) =>
      logger.warn({ code: error.code, reason: error.message }, 'websocket protocol error'),
    );
    const writer = new SocketWriter(socket, request.socket, {
      ...buffer,
      onTooSlow: () => {
        metrics.socketTooSlow();
        logger.warn(
          { bufferedBytes: socket.bufferedAmount, limit: buffer.maxBufferedBytes },
          'websocket closed: too slow to read what it subscribed to',
        );
      },
    });
    let pongWait: NodeJS.Timeout | undefined;
    const keepAlive = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => clearTimeout(pongWait));
      socket.ping();
    }, keepAliveMs);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise((resolve, reject) => writer.send(data, (error) => (error ? reject(error) : resolve()))),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            const text = String(data);
            if (SERVER_ONLY_TYPES.has(messageType(text) ?? '')) {
              socket.close(CloseCode.BadRequest, 'Invalid message received');
              return;
            }
            try {
              await handle(text);
            } catch (error) {
              logger.error({ err: error }, 'websocket message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request, writer },
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      clearTimeout(pongWait);
      metrics.socketClosed();
      closed(code, String(reason)).catch((error: unknown) =>
        logger.error({ err: error }, 'websocket close handling failed'),
      );
    });
  });
  return {
    async dispose() {
      for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function messageType(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { type?: unknown } | null;
    return typeof parsed?.type === 'string' ? parsed.type : undefined;
  } catch {
    return undefined;
  }
}
