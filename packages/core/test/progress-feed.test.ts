import { describe, expect, it } from 'vitest';
import type { ProgressEvent, ProgressFeed } from '../src/index.js';
import { harness, ids } from './engine-harness.js';

const TENANT = 'default';

/** Everything one cursor of a feed reads, from `after` to the end. */
async function readAll(feed: ProgressFeed<ProgressEvent>, after: number): Promise<number[]> {
  const sequences: number[] = [];
  let cursor = after;
  for (;;) {
    const read = await feed.read(cursor);
    if ('done' in read) return sequences;
    sequences.push(...read.items.map((event) => event.sequence));
    cursor = read.last;
  }
}

describe('ProgressFeed', () => {
  it('gives each cursor exactly the events after it, live and replayed, transforming each event once', async () => {
    const h = harness({ engineOptions: { eventPageSize: 16 } });
    h.provider.latencyMs = 1;
    const transformed: number[] = [];
    const feed = h.engine.progressFeed<ProgressEvent>(TENANT, 'shared', {
      // Room for every page: nothing is read or transformed twice.
      cachedPages: 8,
      transform: (events) => {
        transformed.push(...events.map((event) => event.sequence));
        return events;
      },
    });
    // Some cursors before the operation exists, more while it runs, one past its end.
    const early = [0, 0, 5, 16, 17, 99].map((after) => ({ after, read: readAll(feed, after) }));
    await h.engine.submit({ tenant: TENANT, ids: ids(100), operationId: 'shared' });
    const late = [0, 31, 64, 100].map((after) => ({ after, read: readAll(feed, after) }));
    for (const { after, read } of [...early, ...late])
      expect(await read).toEqual(Array.from({ length: 100 - after }, (_, index) => after + index + 1));
    expect(transformed.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    feed.close();
  });

  it('ends a waiting read when its own signal aborts, and leaves the other readers waiting', async () => {
    const h = harness();
    const feed = h.engine.progressFeed<ProgressEvent>(TENANT, 'later', {
      cachedPages: 1,
      transform: (events) => events,
    });
    const controller = new AbortController();
    const abandoned = feed.read(0, controller.signal);
    const waiting = readAll(feed, 0);
    controller.abort();
    expect(await abandoned).toEqual({ done: true });
    await h.engine.submit({ tenant: TENANT, ids: ids(10), operationId: 'later' });
    expect(await waiting).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
    feed.close();
  });
});
