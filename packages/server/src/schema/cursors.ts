import { InvalidInputError } from '@unreel/core';

/** Cursors are opaque to clients: base64url of what the server needs, so their shape can change freely. */
export function encodeCursor(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (cursor === '' || encodeCursor(decoded) !== cursor)
    throw new InvalidInputError(`Malformed cursor in "${field}"`, field);
  return decoded;
}

const DEFAULT_PAGE_SIZE = 50;
/** The largest `first` any connection takes; `Query.limits.maxPageSize` tells clients. */
export const MAX_PAGE_SIZE = 500;

/** `first` checked against the one bound every connection shares; `fallback` when the caller gave none. */
export function pageSize(first: number | null | undefined, fallback = DEFAULT_PAGE_SIZE): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new InvalidInputError(`"first" must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`, 'first');
  }
  return first;
}
