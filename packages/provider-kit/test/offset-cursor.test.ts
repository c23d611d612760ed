import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '@unreel/provider-spec';
import { offsetCursor, pageHolding } from '../src/index.js';

describe('offsetCursor', () => {
  it('round-trips an offset behind its prefix, and starts at 0 without a cursor', () => {
    const cursor = offsetCursor('acme', 'acme:');
    expect(cursor.encode(40)).toBe('acme:40');
    expect(cursor.decode('acme:40')).toBe(40);
    expect(cursor.decode(undefined)).toBe(0);
    expect(offsetCursor('bare').decode(offsetCursor('bare').encode(7))).toBe(7);
  });

  it('refuses a cursor it did not make, naming the plugin and the cursor', () => {
    const cursor = offsetCursor('acme', 'acme:');
    for (const bad of ['', '40', 'acme:', 'acme:-1', 'acme:1.5', 'acme:abc', 'acme:1234567890', 'other:40']) {
      let error: unknown;
      try {
        cursor.decode(bad);
      } catch (caught) {
        error = caught;
      }
      expect(InvalidRequestError.isInstance(error), bad).toBe(true);
      expect((error as Error).message).toBe(
        `acme: the list cursor must be a nextCursor this plugin returned, got "${bad}"`,
      );
    }
  });
});

describe('pageHolding', () => {
  it('finds the 1-based page that holds an offset and how much of its head to skip', () => {
    expect(pageHolding(0, 10)).toEqual({ page: 1, skip: 0 });
    expect(pageHolding(10, 7)).toEqual({ page: 2, skip: 3 });
    expect(pageHolding(14, 3)).toEqual({ page: 5, skip: 2 });
  });
});
