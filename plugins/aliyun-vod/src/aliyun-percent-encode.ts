/**
 * RFC 3986 percent-encoding as Alibaba Cloud's RPC signatures (V2 and ACS3) define it: only `A-Z a-z 0-9 - _ . ~`
 * stay literal, everything else is UTF-8 `%XY` in upper-case hex, so a space is `%20` (never `+`), `*` is `%2A` and
 * `~` stays `~`. The one place this encoding lives: the canonical strings, the query we send and the form body we post
 * all go through it, so what we sign is byte for byte what the server reads back.
 */
export function percentEncode(value: string): string {
  // encodeURIComponent already leaves only the unreserved set plus these five literal.
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `k1=v1&k2=v2...` of percent-encoded pairs sorted by encoded name in byte order: V2's CanonicalizedQueryString,
 * ACS3's CanonicalQueryString, and the exact query or form body we put on the wire.
 */
export function canonicalQueryString(params: Iterable<readonly [string, string]>): string {
  const pairs = Array.from(params, ([name, value]) => [percentEncode(name), percentEncode(value)] as const);
  // Encoded names are plain ASCII, so comparing UTF-16 code units is comparing bytes.
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}
