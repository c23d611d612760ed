import { describe, expect, it, vi } from 'vitest';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  JournalUnavailableError,
  ProgressFeed,
  defaultAccountLimits,
  operationKey,
  type EventBus,
  type OperationStore,
  type ProgressEvent,
} from '../src/index.js';
import { harness, ids } from './engine-harness.js';
import { FakeProvider } from './fake-provider.js';

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

  it('hands every reader a window on one shared page instead of a copy of it, by read or by peek', async () => {
    const h = harness({ engineOptions: { eventPageSize: 500 } });
    await h.engine.submit({ tenant: TENANT, ids: ids(60), operationId: 'window' });
    await h.engine.waitForOperation(TENANT, 'window', 10_000);
    const feed = h.engine.progressFeed<ProgressEvent>(TENANT, 'window', {
      cachedPages: 2,
      transform: (events) => events,
    });
    // Nothing is held before a read has found the operation: peek never reads the journal itself.
    expect(feed.peek(0)).toBeUndefined();
    const [whole, rest] = [await feed.read(0), await feed.read(30)];
    if ('done' in whole || 'done' in rest) throw new Error('the operation has 60 events');
    expect(feed.peek(30)).toMatchObject({ page: whole.page, from: 30, count: 30, last: 60 });
    expect(feed.peek(60)).toBeUndefined();
    expect(rest.page).toBe(whole.page);
    expect([whole.from, whole.count, whole.last, rest.from, rest.count, rest.last]).toEqual([0, 60, 60, 30, 30, 60]);
    // `items` is a copy of the window, for a reader that keeps it.
    expect(rest.items.map((event) => event.sequence)).toEqual(Array.from({ length: 30 }, (_, index) => index + 31));
    expect(rest.items).not.toBe(rest.page);
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

/** Waits the test ends itself: `fire` resolves every wait asked for so far, so no test sleeps or reads a clock. */
class ManualWaits {
  readonly asked: number[] = [];
  private pending: (() => void)[] = [];
  readonly wait = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      this.asked.push(ms);
      if (signal.aborted) return resolve();
      this.pending.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  get waiting(): number {
    return this.pending.length;
  }
  fire(): void {
    for (const resolve of this.pending.splice(0)) resolve();
  }
}

/** The engine's journal, read by the feed through a door the test can close, as when the database goes away. */
function flakyReads(store: OperationStore): { store: OperationStore; down: boolean; failed: number } {
  const door = { store, down: false, failed: 0 };
  door.store = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if ((property !== 'listEvents' && property !== 'getOperation') || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!door.down) return (value as (...a: unknown[]) => unknown).apply(target, args);
        door.failed += 1;
        return Promise.reject(
          new JournalUnavailableError('postgres://127.0.0.1:5432/unreel', 'the database cannot be reached'),
        );
      };
    },
  });
  return door;
}

/** An engine on its own bus (the feed under test is built beside it, on the same store and bus). */
function engineWith(bus: EventBus): { engine: DeletionEngine; store: OperationStore; provider: FakeProvider } {
  const provider = new FakeProvider();
  provider.latencyMs = 1;
  const store = new InMemoryOperationStore();
  const accounts = new AccountRegistry([
    {
      name: 'acc',
      pluginId: 'fake',
      provider,
      limits: defaultAccountLimits(provider, { backoffBaseMs: 1, backoffMaxMs: 5, concurrency: 1 }),
      deleteDelayMs: 0,
    },
  ]);
  return { engine: new DeletionEngine({ store, bus, accounts, options: { eventPageSize: 8 } }), store, provider };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index + 1);
}

describe('ProgressFeed when the journal or the bus fails it', () => {
  it('keeps every cursor across a journal outage, retrying with capped backoff, and logs the outage once', async () => {
    const bus = new InMemoryEventBus();
    const { engine, store } = engineWith(bus);
    const door = flakyReads(store);
    const waits = new ManualWaits();
    const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      void lines.push({ level, message, ...(fields ? { fields } : {}) });
    const feed = new ProgressFeed<ProgressEvent>({
      store: door.store,
      bus,
      key: operationKey(TENANT, 'outage'),
      pageSize: 8,
      cachedPages: 1,
      transform: (events) => events,
      retry: { initialMs: 100, maxMs: 400 },
      wait: waits.wait,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    });
    let wentDown = false;
    const readers = [0, 0, 3].map((after) => ({ after, seen: [] as number[], done: false }));
    const running = readers.map(async (reader) => {
      let cursor = reader.after;
      for (;;) {
        const read = await feed.read(cursor);
        if ('done' in read) break;
        reader.seen.push(...read.items.map((event) => event.sequence));
        cursor = read.last;
        // The journal goes away while the readers are in the middle of the operation.
        if (cursor >= 10 && !wentDown) {
          wentDown = true;
          door.down = true;
        }
      }
      reader.done = true;
    });
    await engine.submit({ tenant: TENANT, ids: ids(60), operationId: 'outage' });
    while (waits.asked.length < 8) {
      await vi.waitFor(() => expect(waits.waiting).toBeGreaterThan(0), { timeout: 10_000 });
      waits.fire();
    }
    // Each retry waits twice as long as the one before, never more than the cap (readers of other pages retry apart).
    expect([...new Set(waits.asked)]).toEqual([100, 200, 400]);
    expect(readers.every((reader) => !reader.done)).toBe(true);
    await vi.waitFor(() => expect(engine.getOperation(TENANT, 'outage')).resolves.toMatchObject({ pending: 0 }), {
      timeout: 10_000,
    });
    door.down = false;
    while (!readers.every((reader) => reader.done)) {
      waits.fire();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(running);
    for (const reader of readers) expect(reader.seen).toEqual(range(reader.after, 60));
    expect(door.failed).toBeGreaterThan(0);
    expect(lines.filter((line) => line.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'progress feed: the journal cannot be read; streams wait and read again',
        fields: {
          operation: operationKey(TENANT, 'outage'),
          error: expect.stringContaining('the database cannot be reached'),
        },
      },
    ]);
    expect(lines.filter((line) => line.level === 'info').map((line) => line.message)).toEqual([
      'progress feed: the journal answers again',
    ]);
    feed.close();
    await engine.close();
  });

  it('ends a read retrying an unreachable journal when the feed closes or its signal aborts', async () => {
    const bus = new InMemoryEventBus();
    const { engine, store } = engineWith(bus);
    await engine.submit({ tenant: TENANT, ids: ids(3), operationId: 'gone' });
    const door = flakyReads(store);
    door.down = true;
    const waits = new ManualWaits();
    const feed = new ProgressFeed<ProgressEvent>({
      store: door.store,
      bus,
      key: operationKey(TENANT, 'gone'),
      pageSize: 8,
      cachedPages: 1,
      transform: (events) => events,
      wait: waits.wait,
    });
    const controller = new AbortController();
    const abandoned = feed.read(0, controller.signal);
    const other = feed.read(0);
    await vi.waitFor(() => expect(waits.waiting).toBeGreaterThan(0));
    controller.abort();
    expect(await abandoned).toEqual({ done: true });
    feed.close();
    expect(await other).toEqual({ done: true });
    await engine.close();
  });

  it('delivers everything through its poll when every doorbell is lost, and polls only on a bus that asks for it', async () => {
    // A bus as a remote one may behave at worst: nothing published ever arrives.
    const silent: EventBus = {
      pollIntervalMs: 1_000,
      publish: () => {},
      subscribe: () => () => {},
      publishOperationCreated: () => {},
      onOperationCreated: () => () => {},
    };
    const { engine, store } = engineWith(silent);
    const waits = new ManualWaits();
    const feed = new ProgressFeed<ProgressEvent>({
      store,
      bus: silent,
      key: operationKey(TENANT, 'polled'),
      pageSize: 8,
      cachedPages: 1,
      transform: (events) => events,
      wait: waits.wait,
    });
    const seen: number[] = [];
    const state = { finished: false };
    const reading = (async () => {
      let cursor = 0;
      for (;;) {
        const read = await feed.read(cursor);
        if ('done' in read) break;
        seen.push(...read.items.map((event) => event.sequence));
        cursor = read.last;
      }
      state.finished = true;
    })();
    // Waiting for an operation not created yet: the poll is what finds it.
    await vi.waitFor(() => expect(waits.waiting).toBe(1));
    await engine.submit({ tenant: TENANT, ids: ids(40), operationId: 'polled' });
    while (!state.finished) {
      waits.fire();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await reading;
    expect(seen).toEqual(range(0, 40));
    expect(new Set(waits.asked)).toEqual(new Set([1_000]));
    feed.close();
    await engine.close();

    // The in-process bus loses nothing: a live reader there never polls.
    const local = new InMemoryEventBus();
    const h = engineWith(local);
    const localWaits = new ManualWaits();
    const localFeed = new ProgressFeed<ProgressEvent>({
      store: h.store,
      bus: local,
      key: operationKey(TENANT, 'local'),
      pageSize: 8,
      cachedPages: 1,
      transform: (events) => events,
      wait: localWaits.wait,
    });
    const all = readAll(localFeed, 0);
    await h.engine.submit({ tenant: TENANT, ids: ids(20), operationId: 'local' });
    expect(await all).toEqual(range(0, 20));
    expect(localWaits.asked).toEqual([]);
    localFeed.close();
    await h.engine.close();
  });
});
