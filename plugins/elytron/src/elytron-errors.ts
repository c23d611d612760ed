import { InvalidRequestError, type DeleteOutcome } from '@unreel/provider-spec';
import { itemFailure, type ErrorDescription, type ErrorResponse } from '@unreel/provider-kit';

/** What an Elytron error body says, whichever of its two documented shapes it came in. */
export interface ElytronError {
  /** `VIDEO_NOT_FOUND`, `VIDEO_IN_PROCESSING`, ...; absent when the body only has prose. */
  code?: string;
  message?: string;
}

const CODE = /^[A-Z][A-Z0-9_]*$/;

/**
 * Elytron's docs show two error shapes: the prose examples nest `{"error":{"code","message","details"}}`, while the
 * generated schema panels show a flat `{"error":"<string>","message","details"}`. Both are read; in the flat one,
 * `error` counts as a code only when it looks like one, since the panels do not say what the string holds.
 * Returns undefined for a body that is neither (a proxy's HTML page, an empty body).
 */
export function readElytronError(body: unknown): ElytronError | undefined {
  if (body == null || typeof body !== 'object') return undefined;
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (error != null && typeof error === 'object') {
    const nested = error as { code?: unknown; message?: unknown };
    return {
      ...(typeof nested.code === 'string' ? { code: nested.code } : {}),
      ...(typeof nested.message === 'string' ? { message: nested.message } : {}),
    };
  }
  if (typeof error !== 'string') return undefined;
  const text = typeof message === 'string' ? message : undefined;
  if (CODE.test(error)) return { code: error, ...(text === undefined ? {} : { message: text }) };
  return { message: text ?? error };
}

/** For provider-kit: the message of a whole-call failure (401, 429, 5xx), with Elytron's code kept for support. */
export function describeElytronError(response: ErrorResponse): ErrorDescription | undefined {
  const error = readElytronError(response.body);
  const text = error && formatError(error);
  return text ? { message: text } : undefined;
}

/**
 * The per-video answers of `DELETE /videos/{id}` (400, 403, 404) as an outcome. Everything else about the call
 * (auth, throttling, outages) is thrown by the client before this runs.
 */
export function deleteOutcomeOf(id: string, status: number, body: unknown, secrets: readonly string[]): DeleteOutcome {
  const error = readElytronError(body);
  if (status === 404) {
    assertVideoNotFound(status, body, `DELETE /videos/${id}`);
    return { status: 'NOT_FOUND' };
  }
  // Elytron's own words go into the item's message; itemFailure scrubs our key from them.
  const said = error && formatError(error);
  const because = (text: string): string => (said ? `${text}: ${said}` : text);
  if (status === 400 && error?.code === 'VIDEO_IN_PROCESSING') {
    // Retryable later, not now: generation takes longer than the host's retry budget, and Elytron refuses until it
    // ends. No time: the answer gives none (the status endpoint's estimate would cost a call per refusal).
    return itemFailure(
      'IN_PROCESSING',
      because(`Elytron cannot delete video ${id} until its generation completes or fails`),
      { secrets, retryable: true, transient: false },
    );
  }
  if (status === 403)
    return itemFailure('FORBIDDEN', because(`This Elytron API key may not delete video ${id}`), { secrets });
  // The id is the request's only input, so any other refusal is about this video, not the whole call.
  return itemFailure('INVALID_REQUEST', because(`Elytron refused to delete video ${id} with ${status}`), { secrets });
}

/**
 * A 404 means "no such video" only when Elytron says VIDEO_NOT_FOUND. Any other 404 (a base URL missing its `/v1`,
 * a proxy's page) would otherwise report every video as already gone while nothing was deleted, so it fails the
 * whole call instead.
 */
export function assertVideoNotFound(status: number, body: unknown, request: string): void {
  if (readElytronError(body)?.code === 'VIDEO_NOT_FOUND') return;
  throw new InvalidRequestError({
    status,
    message: `elytron answered 404 to ${request} without VIDEO_NOT_FOUND: check the plugin's baseUrl (it ends in /v1)`,
  });
}

function formatError(error: ElytronError): string | undefined {
  if (error.message && error.code) return `${error.message} (${error.code})`;
  return error.message ?? error.code;
}
