import { TimeoutError, UnauthorizedError, type ProviderLogger } from '@unreel/provider-spec';
import { scrubMessage, type ProviderHttpClient } from '@unreel/provider-kit';
import type { ApiVideoAuthorization, AuthorizationGrant } from './api-video-authorization.js';
import { problemMessage } from './api-video-errors.js';
import { apiVideoAccessTokenSchema } from './api-video-types.js';

const REMEMBERED_TOKENS = 6;

interface Token {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

export interface BearerOptions {
  http: ProviderHttpClient;
  apiKey: string;
  /** Renew this long before expiry, so a request never leaves with a token about to lapse. */
  refreshMarginMs: number;
  timeoutMs: number;
  logger: ProviderLogger;
  now?: () => number;
}

/**
 * The disposable bearer flow (providers.md §2.2): `POST /auth/api-key {"apiKey"}` gives a one-hour access token and
 * a refresh token; `POST /auth/refresh {"refreshToken"}` renews it before it expires. However many calls need a token
 * at once, one token request is in flight and they all share its answer.
 */
export class ApiVideoBearerAuthorization implements ApiVideoAuthorization {
  private current: Token | undefined;
  private pending: Promise<Token> | undefined;
  private readonly options: BearerOptions;
  private readonly now: () => number;
  /** The latest tokens, so none shows up in a message even just after it was replaced; older ones are long dead. */
  private seen: string[] = [];

  constructor(options: BearerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async grant(signal: AbortSignal): Promise<AuthorizationGrant> {
    if (signal.aborted) throw abortError(signal);
    const cached = this.current;
    if (cached && this.now() < cached.expiresAt - this.options.refreshMarginMs) {
      return { header: `Bearer ${cached.accessToken}`, token: cached.accessToken, reused: true };
    }
    // Even a token issued with less life than the margin is used once: renewing it again right away would loop.
    this.pending ??= this.renew().finally(() => {
      this.pending = undefined;
    });
    const fresh = await untilAborted(this.pending, signal);
    return { header: `Bearer ${fresh.accessToken}`, token: fresh.accessToken, reused: false };
  }

  /** A 401 on a token means the grant cannot be trusted: drop it, access and refresh token alike. */
  rejected(token: string): void {
    if (this.current?.accessToken === token) this.current = undefined;
  }

  secrets(): readonly string[] {
    return [this.options.apiKey, ...this.seen];
  }

  /** Refreshes when there is a refresh token, and falls back to the API key when the refresh is refused. */
  private async renew(): Promise<Token> {
    // The shared request must not die with whichever caller happened to start it, so it has its own deadline.
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const stale = this.current;
    if (stale) {
      const refreshed = await this.requestToken('/auth/refresh', { refreshToken: stale.refreshToken }, signal);
      if (refreshed.token) return this.keep(refreshed.token, 'refreshed');
      this.options.logger.debug('api.video refused the token refresh; asking with the API key', {
        reason: refreshed.refusal,
      });
    }
    const granted = await this.requestToken('/auth/api-key', { apiKey: this.options.apiKey }, signal);
    if (!granted.token) {
      throw new UnauthorizedError({
        message: `api-video refused the API key: ${granted.refusal}`,
        status: granted.status,
      });
    }
    return this.keep(granted.token, 'obtained');
  }

  private async requestToken(
    path: string,
    json: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ token?: Token; refusal?: string; status?: number }> {
    // Bad credentials are a documented 400 (and 401 is possible): an answer to read, not a transport failure.
    const response = await this.options.http.request(path, {
      method: 'POST',
      json,
      signal,
      allowStatus: [400, 401],
      schema: apiVideoAccessTokenSchema,
    });
    if (!response.ok) {
      // An answer read here, not an error the client built: scrubbed here, as it goes into an error or a log line.
      return {
        refusal: scrubMessage(problemMessage(response.body) ?? `HTTP ${response.status}`, this.secrets()),
        status: response.status,
      };
    }
    const body = response.body;
    this.seen = [body.access_token, body.refresh_token, ...this.seen].slice(0, REMEMBERED_TOKENS);
    return {
      token: {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        expiresAt: this.now() + body.expires_in * 1_000,
      },
    };
  }

  private keep(token: Token, how: 'obtained' | 'refreshed'): Token {
    this.current = token;
    this.options.logger.debug(`api.video bearer token ${how}`, {
      expiresInSeconds: Math.round((token.expiresAt - this.now()) / 1_000),
    });
    return token;
  }
}

/** Waits for a shared promise, but lets this caller leave when its own signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A timeout is the provider being slow; any other abort is the host's own reason, passed on as is. */
function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if ((reason instanceof DOMException || reason instanceof Error) && reason.name === 'TimeoutError') {
    return new TimeoutError({ message: 'api-video did not answer in time', cause: reason });
  }
  return reason;
}
