import { isLoopbackHost } from './loopback.js';

/**
 * Which browser pages may call the API over CORS and open a WebSocket (browsers send no CORS preflight for those, so
 * a page on any site could otherwise drive the API with whatever the socket carries). No Origin at all means a
 * non-browser client: allowed.
 */
export class OriginPolicy {
  private readonly any: boolean;
  private readonly allowed: ReadonlySet<string>;

  /**
   * `loopback`: also allow pages served from this machine (localhost, 127.x.x.x, [::1], any port, http or https),
   * which is where a frontend developer's dev server runs. Only without tenants, where the server itself is
   * reachable from this machine alone and the Host check keeps other sites' pages from posing as loopback.
   */
  constructor(
    allowedOrigins: readonly string[],
    readonly loopback: boolean,
  ) {
    this.any = allowedOrigins.includes('*');
    this.allowed = new Set(allowedOrigins.filter((origin) => origin !== '*').map(normalize));
  }

  /** `host` is the request's Host header: a page served by this very server is always allowed. */
  allows(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.any) return true;
    const normalized = normalize(origin);
    if (this.allowed.has(normalized)) return true;
    if (this.loopback && isLoopbackOrigin(normalized)) return true;
    return (
      host !== undefined &&
      (normalized === `http://${host.toLowerCase()}` || normalized === `https://${host.toLowerCase()}`)
    );
  }

  /** Why an origin is refused, and what would allow it, for the refusal's answer. */
  refusal(origin: string): string {
    const shown = origin.slice(0, 200);
    return this.loopback
      ? `Origin ${shown} is not allowed: pages on localhost, 127.0.0.1 and [::1] are; allow another with server.allowedOrigins or UNREEL_ALLOWED_ORIGINS`
      : `Origin ${shown} is not allowed: set server.allowedOrigins or UNREEL_ALLOWED_ORIGINS`;
  }
}

function normalize(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // "null" (a sandboxed frame, a file: page) and anything else that is not a URL.
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
}
