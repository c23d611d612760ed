import { describe, expect, it } from 'vitest';
import { InvalidRequestError, type ProviderVideoStatus } from '@unreel/provider-spec';
import { providerStatusesFor, runCursor, videoMatchesFilter, wholeSecondRange } from '../src/index.js';

const MAPPING: Record<'pending' | 'processing' | 'completed' | 'failed', ProviderVideoStatus> = {
  pending: 'PROCESSING',
  processing: 'PROCESSING',
  completed: 'READY',
  failed: 'FAILED',
};

describe('list filters', () => {
  it('matches createdBefore strictly, createdAfter inclusively, and status as a set', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    const video = { id: 'v', title: null, status: 'READY' as const, createdAt: at };
    expect(videoMatchesFilter(video, { createdBefore: at })).toBe(false);
    expect(videoMatchesFilter(video, { createdBefore: new Date(at.getTime() + 1) })).toBe(true);
    expect(videoMatchesFilter(video, { createdAfter: at })).toBe(true);
    expect(videoMatchesFilter(video, { createdAfter: new Date(at.getTime() + 1) })).toBe(false);
    expect(videoMatchesFilter(video, { status: ['FAILED', 'READY'] })).toBe(true);
    expect(videoMatchesFilter(video, { status: ['FAILED'] })).toBe(false);
    expect(videoMatchesFilter({ id: 'v', title: null, status: 'READY' }, { createdAfter: at })).toBe(false);
    expect(videoMatchesFilter(video, undefined)).toBe(true);
  });

  it('names every provider status of the statuses asked, and none when one has no provider value', () => {
    expect(providerStatusesFor(['PROCESSING'], MAPPING)).toEqual(['pending', 'processing']);
    expect(providerStatusesFor(['FAILED', 'READY'], MAPPING)).toEqual(['completed', 'failed']);
    expect(providerStatusesFor([], MAPPING)).toEqual([]);
    expect(providerStatusesFor(['READY', 'UNKNOWN'], MAPPING)).toBeUndefined();
    expect(providerStatusesFor(undefined, MAPPING)).toBeUndefined();
  });

  it('widens a range to whole seconds on both sides', () => {
    const range = wholeSecondRange({
      createdAfter: new Date('2026-01-01T00:00:10.600Z'),
      createdBefore: new Date('2026-01-01T00:00:20.200Z'),
    });
    expect(range.start?.toISOString()).toBe('2026-01-01T00:00:10.000Z');
    expect(range.end?.toISOString()).toBe('2026-01-01T00:00:21.000Z');
    expect(wholeSecondRange({ createdBefore: new Date('2026-01-01T00:00:20.000Z') }).end?.toISOString()).toBe(
      '2026-01-01T00:00:20.000Z',
    );
    expect(wholeSecondRange(undefined)).toEqual({});
  });

  it('round-trips a run and its inner cursor, and refuses a cursor it did not make', () => {
    const cursor = runCursor('acme', 's');
    expect(cursor.decode(undefined)).toEqual({ run: 0, inner: undefined });
    expect(cursor.decode(cursor.encode({ run: 2, inner: 'o40' }))).toEqual({ run: 2, inner: 'o40' });
    expect(cursor.decode(cursor.encode({ run: 1, inner: undefined }))).toEqual({ run: 1, inner: undefined });
    for (const bad of ['', 'o40', 's', 'sx~1', 's1234~1']) {
      let error: unknown;
      try {
        cursor.decode(bad);
      } catch (caught) {
        error = caught;
      }
      expect(InvalidRequestError.isInstance(error), bad).toBe(true);
    }
  });
});
