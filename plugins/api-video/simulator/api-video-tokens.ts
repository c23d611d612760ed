import { randomBytes } from 'node:crypto';

interface AccessGrant {
  apiKey: string;
  expiresAt: number;
}

/**
 * The disposable bearer flow: `POST /auth/api-key` and `POST /auth/refresh` hand out an access token (valid
 * `expires_in` seconds by the simulator's clock) and a refresh token that can be used once.
 */
export class ApiVideoTokens {
  private readonly access = new Map<string, AccessGrant>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly everIssued: string[] = [];
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(options: { ttlSeconds: number; now: () => number }) {
    this.ttlSeconds = options.ttlSeconds;
    this.now = options.now;
  }

  issue(apiKey: string): Record<string, unknown> {
    const accessToken = jwtLike(this.now(), this.ttlSeconds);
    const refreshToken = `def50200${randomBytes(48).toString('hex')}`;
    this.access.set(accessToken, { apiKey, expiresAt: this.now() + this.ttlSeconds * 1_000 });
    this.refreshTokens.set(refreshToken, apiKey);
    this.everIssued.push(accessToken, refreshToken);
    return {
      token_type: 'Bearer',
      expires_in: this.ttlSeconds,
      access_token: accessToken,
      refresh_token: refreshToken,
    };
  }

  /** A refresh token is spent by its use; the access token it came with stays valid until it expires. */
  refresh(refreshToken: string): Record<string, unknown> | undefined {
    const apiKey = this.refreshTokens.get(refreshToken);
    if (apiKey === undefined) return undefined;
    this.refreshTokens.delete(refreshToken);
    return this.issue(apiKey);
  }

  /** The API key behind a live access token. */
  apiKeyOf(accessToken: string): string | undefined {
    const grant = this.access.get(accessToken);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.now()) {
      this.access.delete(accessToken);
      return undefined;
    }
    return grant.apiKey;
  }

  /** Every token ever handed out, so tests can prove none leaks into an error or a log line. */
  issued(): readonly string[] {
    return this.everIssued;
  }

  /** Invalidates every access and refresh token at once (as a key rotation would). */
  revokeAll(): void {
    this.access.clear();
    this.refreshTokens.clear();
  }
}

/** Shaped like the documented JWT so clients that peek at it are not surprised; nothing verifies its signature. */
function jwtLike(nowMs: number, ttlSeconds: number): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(nowMs / 1_000);
  const header = encode({ typ: 'JWT', alg: 'RS256', jti: randomBytes(16).toString('hex') });
  const payload = encode({ aud: 'library', iat, nbf: iat, exp: iat + ttlSeconds, sub: 'simulator' });
  return `${header}.${payload}.${randomBytes(64).toString('base64url')}`;
}
