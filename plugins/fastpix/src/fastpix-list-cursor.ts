import { offsetCursor } from '@unreel/provider-kit';

/** `GET /on-demand` takes `limit` from 1 to 50. */
const FASTPIX_MAX_PAGE_SIZE = 50;

/** How many media were listed before the next page. */
export const fastpixListCursor = offsetCursor('fastpix', 'fastpix:');

/**
 * FastPix's `offset` is a 1-based PAGE NUMBER, not an item offset: the spec calls `offsetCount` "total records by
 * limit" (100 records, limit 10 → 10) and its other list endpoints say "pass the offset value to indicate the page
 * number". A cursor therefore remembers how many media were listed, and each request picks a page size that divides
 * that count, so a caller may change `limit` between pages without skipping or repeating a media.
 */
export function pageRequestFor(position: number, limit: number): { limit: number; offset: number } {
  const largest = Math.min(Math.max(1, Math.floor(limit)), FASTPIX_MAX_PAGE_SIZE);
  if (position === 0) return { limit: largest, offset: 1 };
  let size = largest;
  while (position % size !== 0) size -= 1;
  return { limit: size, offset: position / size + 1 };
}
