/**
 * Which browser pages may open a WebSocket (browsers send no CORS preflight for those, so a page on any site could
 * otherwise drive the API with whatever the socket carries). No Origin at all means a non-browser client: allowed.
 */
export class OriginPolicy {
  private readonly any: boolean;
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.any = allowedOrigins.includes('*');
    this.allowed = new Set(allowedOrigins.filter((origin) => origin !== '*').map(normalize));
  }

  /** `host` is the request's Host header: a page served by this very server is always allowed. */
  allows(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.any) return true;
    const normalized = normalize(origin);
    if (this.allowed.has(normalized)) return true;
    return (
      host !== undefined &&
      (normalized === `http://${host.toLowerCase()}` || normalized === `https://${host.toLowerCase()}`)
    );
  }

  /** The configured origins, for CORS; undefined when none are (then no CORS headers are sent at all). */
  corsOrigins(): true | string[] | undefined {
    if (this.any) return true;
    return this.allowed.size > 0 ? [...this.allowed] : undefined;
  }
}

function normalize(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}
