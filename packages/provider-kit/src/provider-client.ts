import ky, { HTTPError, type KyInstance } from 'ky';
import type { UnreelProviderError } from '@unreel/provider-spec';
import { errorFromException, errorFromResponse, type ErrorDescription, type ErrorResponse } from './error-mapping.js';

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
  /** Per attempt. */
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
}

export interface ProviderResponse<T> {
  status: number;
  headers: Headers;
  body: T | undefined;
}

export interface ProviderHttpClient {
  request<T = unknown>(path: string, init: ProviderRequestInit): Promise<ProviderResponse<T>>;
}

const RETRYABLE_READ_STATUSES = [408, 500, 502, 503, 504, 524];

export function createProviderClient(options: ProviderClientOptions): ProviderHttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const secrets = (): readonly string[] =>
    typeof options.secrets === 'function' ? options.secrets() : (options.secrets ?? []);
  const authorize = options.authorize;
  const http: KyInstance = ky.create({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    timeout: options.timeoutMs ?? 10_000,
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
    hooks: authorize ? { beforeRequest: [async (request) => (await authorize(request)) ?? undefined] } : {},
  });

  async function isDescribedThrottle(error: unknown): Promise<false | undefined> {
    if (!(error instanceof HTTPError) || !options.describeError) return undefined;
    const body = await readBody(error.response.clone()).catch(() => undefined);
    const described = options.describeError({ status: error.response.status, headers: error.response.headers, body });
    return described?.code === 'RATE_LIMITED' ? false : undefined;
  }

  return {
    async request<T>(path: string, init: ProviderRequestInit): Promise<ProviderResponse<T>> {
      const allowed = init.allowStatus ?? [];
      let response: Response;
      try {
        response = await http(`${baseUrl}${path}`, {
          method: init.method,
          signal: init.signal,
          ...(init.searchParams === undefined ? {} : { searchParams: definedParams(init.searchParams) }),
          ...(init.json === undefined ? {} : { json: init.json }),
          ...(init.body === undefined ? {} : { body: init.body }),
          ...(init.headers === undefined ? {} : { headers: init.headers }),
          throwHttpErrors: (status) => !allowed.includes(status),
        });
      } catch (error) {
        throw await toProviderError(error, init.signal);
      }
      return { status: response.status, headers: response.headers, body: (await readBody(response)) as T | undefined };
    },
  };

  async function toProviderError(error: unknown, signal: AbortSignal): Promise<UnreelProviderError> {
    if (signal.aborted && !isTimeoutReason(signal.reason)) {
      // The host aborted for its own reason (shutdown): that reason, not a provider failure, is what happened.
      throw signal.reason;
    }
    if (error instanceof HTTPError) {
      const body = await readBody(error.response).catch(() => undefined);
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

function isTimeoutReason(reason: unknown): boolean {
  return (reason instanceof Error || reason instanceof DOMException) && reason.name === 'TimeoutError';
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
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
