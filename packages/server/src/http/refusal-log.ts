import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { pathOf } from './node-handler.js';

/** What a refusal's log line says about the request: never its body, query string or credentials. */
export interface RefusedRequest {
  method: string;
  path: string;
  origin: string | undefined;
  host: string | undefined;
  requestId: string;
}

/** Origin and Host are whatever the caller sent: kept short in logs. */
const SHOWN_CHARS = 200;

export function describeRefusedRequest(request: IncomingMessage, requestId: string): RefusedRequest {
  return {
    method: request.method ?? 'GET',
    path: pathOf(request).slice(0, SHOWN_CHARS),
    origin: request.headers.origin?.slice(0, SHOWN_CHARS),
    host: request.headers.host?.slice(0, SHOWN_CHARS),
    requestId,
  };
}

/**
 * The one line each refused request writes (a browser shows the page's developer only "CORS error" or a bare 403,
 * so the reason must be in the server's log): at warn, with the reason as a stable word to search for.
 */
export function logRefusal(
  logger: Logger,
  request: RefusedRequest,
  reason: string,
  message: string,
  detail: Record<string, string> = {},
): void {
  logger.warn({ ...request, reason, ...detail }, message);
}
