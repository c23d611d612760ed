/** What an `Authorization` header presented, in the two schemes the simulated providers use. */
export type PresentedAuthorization =
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'bearer'; token: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Reads `Basic <base64 user:password>` (RFC 7617) or `Bearer <token>` (RFC 6750), the scheme in any case; anything
 * else, a malformed value included, is undefined, which every simulator answers with its provider's 401. A Basic
 * value without a colon is all username, as a lenient server reads it.
 */
export function parseAuthorization(header: string | undefined): PresentedAuthorization | undefined {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header ?? '');
  if (!match) return undefined;
  const [, scheme = '', credentials = ''] = match;
  if (scheme.toLowerCase() === 'bearer') return { scheme: 'bearer', token: credentials };
  if (scheme.toLowerCase() !== 'basic' || !BASE64.test(credentials)) return undefined;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return { scheme: 'basic', username: decoded, password: '' };
  return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
