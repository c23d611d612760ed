import { basicAuthorization } from '@unreel/provider-kit';

/** The `Authorization` header of one request, and the bearer token in it, if any (to drop it on a 401). */
export interface AuthorizationGrant {
  header: string;
  token?: string;
  /** The token was cached from an earlier call, so a 401 may just mean it went stale: a fresh one may work. */
  reused: boolean;
}

/** How requests are authenticated: HTTP Basic with the key, or a disposable bearer token. */
export interface ApiVideoAuthorization {
  grant(signal: AbortSignal): Promise<AuthorizationGrant>;
  /** The provider answered 401 to a request that carried `token`. */
  rejected(token: string): void;
  /** Values to scrub from any message, whatever the provider echoes. */
  secrets(): readonly string[];
}

/** Basic with the API key as username and an empty password: `Basic base64("<apiKey>:")`, as the docs require. */
export class ApiVideoBasicAuthorization implements ApiVideoAuthorization {
  private readonly header: string;
  private readonly apiKey: string;

  constructor(apiKey: string) {
    this.apiKey = apiKey;
    this.header = basicAuthorization(apiKey, '');
  }

  async grant(): Promise<AuthorizationGrant> {
    return { header: this.header, reused: false };
  }

  rejected(): void {
    // The key is all there is: a 401 means it is wrong, and nothing cached can be renewed.
  }

  secrets(): readonly string[] {
    return [this.apiKey, this.header.slice('Basic '.length)];
  }
}
