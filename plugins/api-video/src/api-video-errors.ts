import type { ErrorDescription, ErrorResponse } from '@unreel/provider-kit';
import type { ApiVideoProblem } from './api-video-types.js';

/** Reads api.video's problem details into a message: `title`, then `detail` and the parameter `name` when given. */
export function describeApiVideoError(response: ErrorResponse): ErrorDescription | undefined {
  const message = problemMessage(response.body);
  return message === undefined ? undefined : { message };
}

export function problemMessage(body: unknown): string | undefined {
  if (body == null || typeof body !== 'object')
    return typeof body === 'string' && body.trim() !== '' ? body.trim() : undefined;
  const problem = body as ApiVideoProblem;
  if (typeof problem.title !== 'string' || problem.title === '') return undefined;
  const detail = typeof problem.detail === 'string' && problem.detail !== '' ? ` ${problem.detail}` : '';
  const name = typeof problem.name === 'string' && problem.name !== '' ? ` (${problem.name})` : '';
  return `${problem.title}${detail}${name}`;
}
