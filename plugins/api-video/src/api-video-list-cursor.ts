import { InvalidRequestError } from '@unreel/provider-spec';

/**
 * api.video pages by number (`currentPage`, `pageSize` 1..100). The cursor is the offset of the next video, so a
 * caller may change its page size between pages without skipping or repeating anything: the page is chosen so that
 * it contains the offset, and the items before the offset are dropped. Like the API itself, it cannot see videos
 * deleted between two pages (later ones then shift towards the front).
 */
export function encodeListCursor(offset: number): string {
  return `o${offset}`;
}

export function decodeListCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^o(\d{1,9})$/.exec(cursor);
  if (!match) throw new InvalidRequestError({ message: `api-video: malformed list cursor "${cursor.slice(0, 40)}"` });
  return Number(match[1]);
}

/** The page of `pageSize` items that holds `offset`, and how many of its first items come before the offset. */
export function pageHolding(offset: number, pageSize: number): { currentPage: number; skip: number } {
  return { currentPage: Math.floor(offset / pageSize) + 1, skip: offset % pageSize };
}
