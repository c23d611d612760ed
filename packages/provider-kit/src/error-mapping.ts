import {
  ForbiddenError,
  InvalidRequestError,
  NetworkError,
  NotFoundError,
  ProviderResponseError,
  ProviderUnavailableError,
  RateLimitedError,
  TimeoutError,
  UnauthorizedError,
  UnreelProviderError,
  type ProviderErrorCode,
  type ProviderErrorOptions,
} from '@unreel/provider-spec';
import { parseRetryAfterMs } from './retry-after.js';
import { scrubMessage, withoutQueries } from './scrub-message.js';

export interface ErrorResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body was JSON, else its text, else undefined. */
  body: unknown;
}

export interface ErrorDescription {
  code?: ProviderErrorCode;
  message?: string;
  retryable?: boolean;
  /** See ItemError.transient; default: `retryable`. */
  transient?: boolean;
  retryAfterMs?: number;
  retryAfter?: Date;
}

export interface ErrorMappingOptions {
  describeError?: (response: ErrorResponse) => ErrorDescription | undefined;
  maxRetryAfterMs?: number;
  secrets?: readonly string[];
}

/** Turns an HTTP error answer into the provider-spec error the engine understands. */
export function errorFromResponse(
  provider: string,
  response: ErrorResponse,
  options: ErrorMappingOptions = {},
): UnreelProviderError {
  const described = options.describeError?.(response) ?? {};
  const providerMessage = described.message ?? genericMessage(response.body);
  const code = described.code ?? codeForStatus(response.status);
  const retryAfterMs = described.retryAfterMs ?? waitAskedFor(code, response, options.maxRetryAfterMs ?? 60_000);
  const base = `${provider} answered ${response.status}`;
  const message = scrubMessage(providerMessage ? `${base}: ${providerMessage}` : base, options.secrets);
  const errorOptions: ProviderErrorOptions = {
    message,
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(described.retryable === undefined ? {} : { retryable: described.retryable }),
    ...(described.transient === undefined ? {} : { transient: described.transient }),
    ...(described.retryAfter === undefined ? {} : { retryAfter: described.retryAfter }),
  };
  return errorForCode(code, errorOptions);
}

/**
 * Timeouts, aborts and connection failures: everything that is not a whole HTTP answer. `answered` is the status of
 * an answer whose body never arrived whole (too slow, or the connection broke): the provider may have acted, so this
 * is as ambiguous and as retryable as no answer at all.
 */
export function errorFromException(
  provider: string,
  error: unknown,
  options: { signal?: AbortSignal; secrets?: readonly string[]; answered?: number } = {},
): UnreelProviderError {
  if (UnreelProviderError.isInstance(error)) return error;
  const name = error instanceof Error ? error.name : '';
  const reason = options.signal?.aborted ? options.signal.reason : undefined;
  const reasonName = reason instanceof Error || reason instanceof DOMException ? reason.name : '';
  const secrets = options.secrets ?? [];
  // The transport's own error keeps the request (URL with a signed query, headers with credentials): only a scrubbed
  // copy of its name, code and message goes on as the cause, so no logger that prints causes can show a secret.
  const cause = scrubbedCause(error, secrets);
  const answered = options.answered;
  if (name === 'TimeoutError' || reasonName === 'TimeoutError') {
    const message =
      answered === undefined
        ? `${provider} did not answer in time`
        : `${provider} did not answer in time: the body of its ${answered} answer was still arriving`;
    return new TimeoutError({ message, cause });
  }
  const detail = error instanceof Error ? describeNetworkCause(error) : String(error);
  const message =
    answered === undefined
      ? `${provider} could not be reached: ${detail}`
      : `${provider} answered ${answered} but the answer broke off: ${detail}`;
  return new NetworkError({ message: scrubMessage(withoutQueries(message), secrets), cause });
}

function scrubbedCause(error: unknown, secrets: readonly string[]): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(scrubMessage(withoutQueries(source.message), secrets));
  copy.name = source.name;
  const code = source.cause instanceof Error && 'code' in source.cause ? source.cause.code : undefined;
  if (typeof code === 'string') Object.assign(copy, { code });
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

/**
 * Some providers send X-RateLimit-* on every answer, so those headers are a wait only on a throttled answer; a 503
 * asks for one only through Retry-After (RFC 9110); any other answer asks for none.
 */
function waitAskedFor(code: ProviderErrorCode, response: ErrorResponse, maxMs: number): number | undefined {
  if (code === 'RATE_LIMITED' || response.status === 429) return parseRetryAfterMs(response.headers, { maxMs });
  if (response.status === 503) return parseRetryAfterMs(response.headers, { maxMs, only: ['retry-after'] });
  return undefined;
}

export function codeForStatus(status: number): ProviderErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 408) return 'TIMEOUT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'PROVIDER_ERROR';
  return 'INVALID_REQUEST';
}

export function errorForCode(code: ProviderErrorCode, options: ProviderErrorOptions): UnreelProviderError {
  switch (code) {
    case 'UNAUTHORIZED':
      return new UnauthorizedError(options);
    case 'FORBIDDEN':
      return new ForbiddenError(options);
    case 'NOT_FOUND':
      return new NotFoundError(options);
    case 'TIMEOUT':
      return new TimeoutError(options);
    case 'RATE_LIMITED':
      return new RateLimitedError(options);
    case 'PROVIDER_ERROR':
      return new ProviderUnavailableError(options);
    case 'INVALID_REQUEST':
      return new InvalidRequestError(options);
    case 'INVALID_RESPONSE':
      return new ProviderResponseError(options);
    default:
      return new UnreelProviderError(code, options);
  }
}

/** Most providers put a human message under one of these keys; anything else is not worth guessing at. */
function genericMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : body.trim();
  if (body == null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['message', 'title', 'detail', 'error_description', 'Message']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  const nested = record.error;
  if (typeof nested === 'string' && nested !== '') return nested;
  if (nested != null && typeof nested === 'object') return genericMessage(nested);
  return undefined;
}

function describeNetworkCause(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error.message;
}
