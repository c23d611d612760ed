import ky, { HTTPError, type KyInstance } from 'ky';
import type { StandardSchemaV1, UnreelProviderError } from '@unreel/provider-spec';
import { readAnswerBody } from './answer-body.js';
import { errorFromException, errorFromResponse, type ErrorDescription, type ErrorResponse } from './error-mapping.js';
import { parseResponse } from './parse-response.js';

export interface ProviderClientOptions {
  /** Plugin id, used in error messages. */
  provider: string;
  /** Requests go to `${baseUrl}${path}`; a trailing slash on baseUrl is ignored. */
  baseUrl: string;
  /** Pass `PluginContextV1.fetch` so the host controls the transport. */
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
  /**
   * Runs on every attempt with the final Request: sign it or attach a fresh bearer token, in place or by returning a
   * new Request (needed when the signature goes into the URL or the body).
   */
  authorize?: (request: Request) => void | Request | Promise<void | Request>;
  /** Per attempt, from sending the request to the last byte of the answer's body. */
  timeoutMs?: number;
  /**
   * Retries for GET and HEAD on 408/5xx and network errors, with a short jittered backoff. Writes are never retried
   * here: the engine retries them, counts the attempts in the journal and knows when an attempt was ambiguous. A 429
   * is not retried here either, even on a read: it throws RATE_LIMITED with the provider's wait, and the engine
   * pauses the whole account for it, because every other call of the account would be refused too.
   */
  readRetryLimit?: number;
  maxRetryAfterMs?: number;
  /**
   * Scrubbed from every error message, whatever the provider echoed back. A function is read each time an error is
   * built, for credentials that change while the client lives (bearer tokens).
   */
  secrets?: readonly string[] | (() => readonly string[]);
  describeError?: (response: ErrorResponse) => ErrorDescription | undefined;
}

export interface ProviderRequestInit {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  signal: AbortSignal;
  searchParams?: Record<string, string | number | boolean | undefined> | URLSearchParams;
  json?: unknown;
  body?: string | URLSearchParams;
  headers?: Record<string, string>;
  /** Non-2xx statuses returned as data instead of thrown, e.g. `[404]` on a lookup. */
  allowStatus?: readonly number[];
  /**
   * What a 2xx answer's body must be (zod or any Standard Schema): `body` is then the schema's output, and a body that
   * is not JSON or not of that shape throws `ProviderResponseError` (INVALID_RESPONSE, retryable, ambiguous), through
   * `parseResponse`. The body of a status let through by `allowStatus` is not checked: read `status` first.
   */
  schema?: StandardSchemaV1;
}

export interface ProviderResponse<T> {
  status: number;
  headers: Headers;
  body: T | undefined;
}

/**
 * An answer checked against a schema: `ok` (2xx) answers carry the schema's output; the statuses let through by
 * `allowStatus` carry their body unchecked, for the plugin's own error reading.
 */
export type CheckedProviderResponse<T> =
  | { ok: true; status: number; headers: Headers; body: T }
  | { ok: false; status: number; headers: Headers; body: unknown };

export interface ProviderHttpClient {
  /** With a schema and no `allowStatus`, every answer returned is a 2xx, its body the schema's output. */
  request<Schema extends StandardSchemaV1>(
    path: string,
    init: ProviderRequestInit & { schema: Schema; allowStatus?: undefined },
  ): Promise<Extract<CheckedProviderResponse<StandardSchemaV1.InferOutput<Schema>>, { ok: true }>>;
  request<Schema extends StandardSchemaV1>(
    path: string,
    init: ProviderRequestInit & { schema: Schema },
  ): Promise<CheckedProviderResponse<StandardSchemaV1.InferOutput<Schema>>>;
  /** Without a schema, `T` is what the caller says the body is, unchecked. */
  request<T = unknown>(path: string, init: ProviderRequestInit): Promise<ProviderResponse<T>>;
}

const RETRYABLE_READ_STATUSES = [408, 500, 502, 503, 504, 524];

/** Where in ky's per-call context the current attempt's start is kept. */
const ATTEMPT = 'unreelAttempt';

class AttemptClock {
  startedAt = performance.now();
}

export function createProviderClient(options: ProviderClientOptions): ProviderHttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const secrets = (): readonly string[] =>
    typeof options.secrets === 'function' ? options.secrets() : (options.secrets ?? []);
  const authorize = options.authorize;
  const http: KyInstance = ky.create({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // Covers an attempt up to the answer's head; the body is bounded by readAnswerBody with the rest of the same time.
    timeout: timeoutMs,
    headers: options.headers ?? {},
    retry: {
      limit: options.readRetryLimit ?? 2,
      methods: ['get', 'head'],
      statusCodes: RETRYABLE_READ_STATUSES,
      // ky would read rate-limit headers itself here, and it mistakes an epoch-milliseconds X-RateLimit-Reset for
      // a far-off date; waits the provider asks for are the engine's business (parseRetryAfterMs), not ky's.
      afterStatusCodes: [],
      backoffLimit: 2_000,
      jitter: true,
      // Some providers throttle with a 503 and say so only in the body (ApsaraVideo's Throttling.User): once the
      // provider's own describer calls an answer RATE_LIMITED, it is the engine's to wait for, not a retry here.
      ...(options.describeError ? { shouldRetry: ({ error }) => isDescribedThrottle(error) } : {}),
    },
    hooks: {
      beforeRequest: [
        // First: a hook that returns a Request (authorize may) ends the list for that attempt.
        (_request, hookOptions) => {
          const attempt = hookOptions.context[ATTEMPT];
          if (attempt instanceof AttemptClock) attempt.startedAt = performance.now();
        },
        ...(authorize ? [async (request: Request) => (await authorize(request)) ?? undefined] : []),
      ],
    },
  });

  async function isDescribedThrottle(error: unknown): Promise<false | undefined> {
    if (!(error instanceof HTTPError) || !options.describeError) return undefined;
    const body = await readAnswerBody(
      error.response.clone(),
      error.request.signal,
      performance.now() + timeoutMs,
    ).catch(() => undefined);
    const described = options.describeError({ status: error.response.status, headers: error.response.headers, body });
    return described?.code === 'RATE_LIMITED' ? false : undefined;
  }

  return {
    async request(
      path: string,
      init: ProviderRequestInit,
    ): Promise<ProviderResponse<unknown> | CheckedProviderResponse<unknown>> {
      const allowed = init.allowStatus ?? [];
      const { signal } = init;
      // Moved on by each of ky's attempts, so the answer's body gets what is left of its own attempt's time.
      const attempt = new AttemptClock();
      const deadline = (): number => attempt.startedAt + timeoutMs;
      let response: Response;
      try {
        response = await http(`${baseUrl}${path}`, {
          method: init.method,
          signal,
          ...(init.searchParams === undefined ? {} : { searchParams: definedParams(init.searchParams) }),
          ...(init.json === undefined ? {} : { json: init.json }),
          ...(init.body === undefined ? {} : { body: init.body }),
          ...(init.headers === undefined ? {} : { headers: init.headers }),
          throwHttpErrors: (status) => !allowed.includes(status),
          context: { [ATTEMPT]: attempt },
        });
      } catch (error) {
        throw await toProviderError(error, signal, deadline());
      }
      let body: unknown;
      try {
        body = await readAnswerBody(response, signal, deadline());
      } catch (error) {
        // The provider answered and may have acted; the answer just never arrived whole: as ambiguous as no answer.
        throwIfHostAborted(signal);
        throw errorFromException(options.provider, error, { signal, secrets: secrets(), answered: response.status });
      }
      if (!init.schema) return { status: response.status, headers: response.headers, body };
      const ok = response.status >= 200 && response.status < 300;
      if (ok) {
        body = await parseResponse(
          init.schema,
          { status: response.status, body },
          { provider: options.provider, request: `${init.method} ${path.split('?')[0]}`, secrets: secrets() },
        );
      }
      return { ok, status: response.status, headers: response.headers, body };
    },
  } as ProviderHttpClient;

  async function toProviderError(error: unknown, signal: AbortSignal, deadline: number): Promise<UnreelProviderError> {
    throwIfHostAborted(signal);
    if (error instanceof HTTPError) {
      // Without its body (cut off or too slow) the status alone still says what kind of failure this was.
      const body = await readAnswerBody(error.response, signal, deadline).catch(() => undefined);
      throwIfHostAborted(signal);
      return errorFromResponse(
        options.provider,
        { status: error.response.status, headers: error.response.headers, body },
        {
          maxRetryAfterMs,
          secrets: secrets(),
          ...(options.describeError ? { describeError: options.describeError } : {}),
        },
      );
    }
    return errorFromException(options.provider, error, { signal, secrets: secrets() });
  }
}

/**
 * The host aborted for its own reason (shutdown): that reason, not a provider failure, is what happened, so it is
 * what the caller gets. A timeout is the provider being slow, and maps to TIMEOUT like any other.
 */
function throwIfHostAborted(signal: AbortSignal): void {
  if (signal.aborted && !isTimeoutReason(signal.reason)) throw signal.reason;
}

function isTimeoutReason(reason: unknown): boolean {
  return (reason instanceof Error || reason instanceof DOMException) && reason.name === 'TimeoutError';
}

function definedParams(
  params: Record<string, string | number | boolean | undefined> | URLSearchParams,
): URLSearchParams {
  if (params instanceof URLSearchParams) return params;
  const result = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) result.set(key, String(value));
  }
  return result;
}
