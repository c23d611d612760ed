import { InvalidRequestError } from '@unreel/provider-spec';

/**
 * A list cursor that holds how many videos were listed before it. Offset and page-number APIs alike can resume from
 * it whatever page size the caller asks for next, which a page number alone cannot do.
 */
export interface OffsetCursor {
  encode(offset: number): string;
  /** 0 without a cursor; INVALID_REQUEST for a cursor this codec did not make. */
  decode(cursor: string | undefined): number;
}

/** `prefix` marks a cursor as this plugin's, so that one from another listing is refused instead of misread. */
export function offsetCursor(provider: string, prefix = ''): OffsetCursor {
  return {
    encode: (offset) => `${prefix}${offset}`,
    decode(cursor) {
      if (cursor === undefined) return 0;
      const digits = cursor.startsWith(prefix) ? cursor.slice(prefix.length) : '';
      if (!/^\d{1,9}$/.test(digits)) {
        throw new InvalidRequestError({
          message: `${provider}: the list cursor must be a nextCursor this plugin returned, got "${cursor.slice(0, 40)}"`,
        });
      }
      return Number(digits);
    },
  };
}

/** The page (numbered from 1) of `pageSize` items that holds `offset`, and how many of its first items precede it. */
export function pageHolding(offset: number, pageSize: number): { page: number; skip: number } {
  return { page: Math.floor(offset / pageSize) + 1, skip: offset % pageSize };
}
