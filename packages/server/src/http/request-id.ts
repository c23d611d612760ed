import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's `x-request-id` when it is a plain token (it lands in logs), else a fresh one. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * The request id of an HTTP request, chosen once, on the first refusal or authentication that needs it, and echoed
 * in the `x-request-id` response header from then on.
 */
export function requestIdOf(request: IncomingMessage, response: ServerResponse): string {
  const chosen = response.getHeader('x-request-id');
  if (typeof chosen === 'string') return chosen;
  const requestId = requestIdFrom(request.headers['x-request-id']);
  response.setHeader('x-request-id', requestId);
  return requestId;
}
