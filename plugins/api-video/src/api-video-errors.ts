import { errorForCode, redactSecrets, type ErrorDescription, type ErrorResponse } from '@unreel/provider-kit';
import type { UnreelProviderError } from '@unreel/provider-spec';
import type { ApiVideoProblem } from './api-video-types.js';

/** Reads api.video's problem details into a message: `title`, then `detail` and the parameter `name` when given. */
export function describeApiVideoError(response: ErrorResponse): ErrorDescription | undefined {
  const message = problemMessage(response.body);
  return message === undefined ? undefined : { message };
}

export function problemMessage(body: unknown): string | undefined {
  if (body == null || typeof body !== 'object') return typeof body === 'string' && body.trim() !== '' ? body.trim() : undefined;
  const problem = body as ApiVideoProblem;
  if (typeof problem.title !== 'string' || problem.title === '') return undefined;
  const detail = typeof problem.detail === 'string' && problem.detail !== '' ? ` ${problem.detail}` : '';
  const name = typeof problem.name === 'string' && problem.name !== '' ? ` (${problem.name})` : '';
  return `${problem.title}${detail}${name}`;
}

/**
 * What every error leaving the plugin goes through:
 * - api.video sends `X-RateLimit-Retry-After` on EVERY answer: the seconds until the rate-limit window resets,
 *   whatever the status. Only a 429 means "come back then"; on a 5xx or 401 it would make the host wait out the
 *   window for nothing, so the hint is kept for 429 alone.
 * - bearer tokens change over time, so they are scrubbed here rather than by the client's fixed secret list.
 */
export function cleanProviderError(error: UnreelProviderError, secrets: readonly string[]): UnreelProviderError {
  const dropHint = error.status !== 429 && error.retryAfterMs !== undefined;
  const message = redactSecrets(error.message, secrets);
  if (!dropHint && message === error.message) return error;
  return errorForCode(error.code, {
    message,
    retryable: error.retryable,
    ...(dropHint || error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.status === undefined ? {} : { status: error.status }),
    cause: error.cause,
  });
}
