import { isLoopbackHost } from './loopback.js';

/** What a Host header may hold: a name or an address and a port, nothing a URL parser would read as more. */
const HOST_HEADER = /^[A-Za-z0-9._\-[\]:]{1,300}$/;

/**
 * Which `Host` headers this server answers. A page on any site can make the browser send requests to 127.0.0.1 by
 * pointing its own name there (DNS rebinding): the request then carries that name as Host and, being same-origin
 * for the page, passes every Origin check. Answering only the names it is really reached by closes that.
 * Loopback names (localhost, 127.x.x.x, [::1], any port) are always served; others only when listed.
 */
export class HostPolicy {
  private readonly exact: ReadonlySet<string>;
  private readonly suffixes: readonly string[];

  /** `enforced` false: every Host is answered (tenants, no `server.allowedHosts`: every request needs a key). */
  constructor(
    allowedHosts: readonly string[],
    readonly enforced: boolean,
  ) {
    // Read as a Host header is, so "[2001:DB8:0::1]" or "API.example.com" match what clients send.
    const canonical = (name: string): string => hostname(name) ?? name.toLowerCase();
    this.exact = new Set(allowedHosts.map((host) => canonical(host.replace(/^\./, ''))));
    this.suffixes = allowedHosts.filter((host) => host.startsWith('.')).map((host) => `.${canonical(host.slice(1))}`);
  }

  /**
   * The answers for Host headers seen lately: a client sends the same one on every request, and reading it as a URL
   * costs a few µs. The header is the caller's to choose, so the cache is bounded.
   */
  private readonly answers = new Map<string, boolean>();

  /** A missing Host (HTTP/1.0) is not a browser's: browsers always send one. */
  allows(host: string | undefined): boolean {
    if (!this.enforced || host === undefined) return true;
    let allowed = this.answers.get(host);
    if (allowed === undefined) {
      allowed = this.decide(host);
      if (this.answers.size >= MAX_REMEMBERED_HOSTS) this.answers.clear();
      this.answers.set(host, allowed);
    }
    return allowed;
  }

  private decide(host: string): boolean {
    const name = hostname(host);
    if (name === undefined) return false;
    if (isLoopbackHost(name) || this.exact.has(name)) return true;
    return this.suffixes.some((suffix) => name.endsWith(suffix));
  }
}

const MAX_REMEMBERED_HOSTS = 256;

/** The name in a Host header, lower-cased, without port or a trailing dot; undefined when it is not a host. */
function hostname(host: string): string | undefined {
  if (!HOST_HEADER.test(host)) return undefined;
  try {
    // The WHATWG parser also reads 127.1 or 2130706433 as 127.0.0.1, as the browser that sent them did.
    return new URL(`http://${host}`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}
