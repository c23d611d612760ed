import { InvalidRequestError } from '@unreel/provider-spec';

/**
 * The list pages by number, so a cursor is the next page and the page size it was counted with: page 3 of 7 is
 * another set of videos than page 3 of 10.
 */
export interface ListCursor {
  page: number;
  perPage: number;
  /** With a status filter, which of the listings (one per OmegaStream status) the page is in; 0 without one. */
  run: number;
}

export function encodeListCursor(cursor: ListCursor): string {
  const fields = { p: cursor.page, s: cursor.perPage, ...(cursor.run === 0 ? {} : { r: cursor.run }) };
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

export function decodeListCursor(raw: string): ListCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { p, s, r = 0 } = (parsed ?? {}) as { p?: unknown; s?: unknown; r?: unknown };
  if (!isPositiveInteger(p) || !isPositiveInteger(s) || !(r === 0 || isPositiveInteger(r))) {
    throw new InvalidRequestError({
      message: 'omegastream: malformed list cursor; pass back the nextCursor of the previous page',
    });
  }
  return { page: p, perPage: s, run: r };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
