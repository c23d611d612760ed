/**
 * The key in `Bearer <key>` (the scheme is case-insensitive, as RFC 6750 allows). WebSocket connectionParams may
 * also carry the bare key, since some clients cannot add the scheme there. Undefined when nothing usable was sent.
 */
export function readBearerToken(value: unknown, { allowBare = false } = {}): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  if (match) return match[1];
  if (allowBare && /^\S+$/.test(value) && !/^Bearer$/i.test(value)) return value;
  return undefined;
}
