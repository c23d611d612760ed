import { InvalidRequestError } from '@unreel/provider-spec';

/**
 * The list pages by number, so a cursor is the next page and the page size it was counted with: page 3 of 7 is
 * another set of videos than page 3 of 10.
 */
export interface ListCursor {
  page: number;
  perPage: number;
}

export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify({ p: cursor.page, s: cursor.perPage }), 'utf8').toString('base64url');
}

export function decodeListCursor(raw: string): ListCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { p, s } = (parsed ?? {}) as { p?: unknown; s?: unknown };
  if (!isPositiveInteger(p) || !isPositiveInteger(s)) {
    throw new InvalidRequestError({
      message: 'omegastream: malformed list cursor; pass back the nextCursor of the previous page',
    });
  }
  return { page: p, perPage: s };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
