import { JournalUnavailableError } from '../errors/journal-unavailable-error.js';
import type { EventBus } from '../events/event-bus.js';
import type { ProgressEvent } from '../model/operation.js';
import type { OperationStore } from '../store/operation-store.js';
import type { EngineLogger } from './engine-logger.js';
import { sleep } from './sleep.js';

export interface ProgressFeedOptions<T> {
  store: OperationStore;
  bus: EventBus;
  key: string;
  /** Events per journal read; pages are aligned to it (page n holds sequences n*pageSize+1 to (n+1)*pageSize). */
  pageSize: number;
  /**
   * What readers get for a page of events, computed once per event whoever reads it first: a GraphQL payload for
   * the server, the events themselves for a lone ProgressStream.
   */
  transform: (events: readonly ProgressEvent[]) => Promise<readonly T[]> | readonly T[];
  /** Full pages kept for readers that come later (least recently read dropped first). The page being written is always kept. */
  cachedPages: number;
  /** Where a journal outage seen by a read is reported (once per outage, at warn). */
  logger?: EngineLogger | undefined;
  /** Backoff between reads of a journal that cannot be reached: doubling from `initialMs`, never above `maxMs`. */
  retry?: { initialMs: number; maxMs: number } | undefined;
  /**
   * How the feed waits, for a retry and between polls: resolves after `ms` or once `signal` aborts. Tests inject one
   * that they advance themselves instead of sleeping.
   */
  wait?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
}

const DEFAULT_RETRY = { initialMs: 100, maxMs: 5_000 };

/** Node's words for a connection that failed, from a store that does not say JournalUnavailableError itself. */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function isUnavailable(error: unknown): boolean {
  if (JournalUnavailableError.isInstance(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_ERRORS.has(code);
}

/**
 * What `read` gives: the items after the cursor, the cursor after them; or the end. The items are a window on the
 * feed's own page, `page[from]` to `page[from + count - 1]`, shared by every reader and not copied (a thousand readers
 * each copying the page they read was most of what a server's heap grew by while it fed them); the page may grow
 * while a reader holds it, the window does not. `items` copies the window, for a reader that wants an array of its own.
 */
export type ProgressFeedRead<T> =
  | {
      readonly page: readonly T[];
      readonly from: number;
      readonly count: number;
      readonly last: number;
      readonly items: readonly T[];
    }
  | { readonly done: true };

/** The events of `page` from `from` on, as they are now. */
function windowOn<T>(page: readonly T[], from: number, after: number): ProgressFeedRead<T> {
  const count = page.length - from;
  return {
    page,
    from,
    count,
    last: after + count,
    get items() {
      return page.slice(from, from + count);
    },
  };
}

const DONE = { done: true } as const;

/**
 * One operation's events for any number of readers, each with its own cursor: a reader gets exactly the events after
 * its cursor, gapless, in order, once each (it moves its cursor to `last`), while the journal is read and `transform`
 * is run once per event for all of them. The journal stays the only source: the bus only says "it grew", and a page
 * no longer cached is read again, so a slow reader costs a read, never memory or a gap.
 *
 * A journal that cannot be reached does not end a read: the feed reads again with capped backoff until it answers, and
 * every cursor carries on from where it was. A bus whose doorbells can be lost (`EventBus.pollIntervalMs`) is backed
 * by a poll: while anyone waits for live events, the feed looks at the journal that often as if a doorbell had rung.
 */
export class ProgressFeed<T> {
  private readonly options: ProgressFeedOptions<T>;
  /** Page index to the transformed events read so far; Map order is recency (a read moves its page to the end). */
  private readonly pages = new Map<number, T[]>();
  private readonly loading = new Map<number, Promise<void>>();
  /** Bumped on every bus signal: a read that started at a generation saw everything published before it. */
  private generation = 0;
  /** The tail page, and the generation at the start of the read that found nothing more in it. */
  private exhausted: { page: number; generation: number } | undefined;
  private operationCheck:
    | { generation: number; status: Promise<{ last: number; running: boolean } | null> }
    | undefined;
  private created = false;
  private started: Promise<void> | undefined;
  private exists = false;
  private readonly waiters = new Set<() => void>();
  private notifyScheduled = false;
  private closed = false;
  private readonly cleanups: (() => void)[] = [];
  /** Aborted by close(): ends retry waits and the poll. */
  private readonly closing = new AbortController();
  /** Reads abandoned by close(), which must resolve at once even while a journal read is retried. */
  private readonly enders = new Set<() => void>();
  /** While the journal cannot be reached: already reported, so an outage is one log line. */
  private outage = false;
  private polling = false;
  private readonly wait: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(options: ProgressFeedOptions<T>) {
    this.options = options;
    this.wait = options.wait ?? sleep;
    const { bus, key } = options;
    // Subscribed before the first read, so nothing written in between goes unnoticed.
    this.cleanups.push(
      bus.subscribe(key, () => {
        this.generation += 1;
        this.scheduleNotify();
      }),
      bus.onOperationCreated(key, () => {
        this.created = true;
        this.notify();
      }),
    );
  }

  /**
   * The events after `after`, up to the end of its page; waits while the operation runs (or does not exist yet) and
   * has nothing after `after`. `done` once the operation is over and `after` is its last event, when it is gone, when
   * `signal` aborts or the feed closes.
   */
  async read(after: number, signal?: AbortSignal): Promise<ProgressFeedRead<T>> {
    if (this.closed || signal?.aborted) return DONE;
    // Journal reads are shared and retried while the journal is away: this reader stops waiting for them when it goes.
    return new Promise((resolve, reject) => {
      const forget = (): void => {
        signal?.removeEventListener('abort', end);
        this.enders.delete(end);
      };
      const end = (): void => {
        forget();
        resolve(DONE);
      };
      signal?.addEventListener('abort', end, { once: true });
      this.enders.add(end);
      this.readAfter(after, signal).then(
        (read) => {
          forget();
          resolve(read);
        },
        (error: unknown) => {
          forget();
          reject(error);
        },
      );
    });
  }

  private async readAfter(after: number, signal: AbortSignal | undefined): Promise<ProgressFeedRead<T>> {
    await this.start(signal);
    for (;;) {
      if (this.closed || signal?.aborted) break;
      const generation = this.generation;
      const window = await this.windowAfter(after);
      if (window) return window;
      const operation = await this.operationStatus();
      if (!operation) break;
      if (operation.last > after) {
        // The journal holds more than the last read found: the next read must go to it, signal or not.
        this.exhausted = undefined;
        continue;
      }
      if (!operation.running) break;
      await this.until(() => this.generation !== generation, signal);
    }
    return DONE;
  }

  /**
   * The events after `after` that the feed already holds, without waiting or reading the journal; undefined when it
   * holds none (then `read`). A reader keeping up with a busy operation finds its next events here most of the time,
   * and a thousand readers each making a promise, a signal listener and closures per read were garbage that lived
   * long enough (queued behind each other's writes) to grow the heap.
   */
  peek(after: number): ProgressFeedRead<T> | undefined {
    return this.closed || !this.exists ? undefined : this.cachedAfter(after);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    for (const end of this.enders) end();
    this.pages.clear();
    this.notify();
  }

  private async start(signal: AbortSignal | undefined): Promise<void> {
    if (this.exists) return;
    this.started ??= this.waitForOperation();
    // One reader giving up must not end the wait of the others: only this reader's wait is abandoned.
    await Promise.race([this.started, this.until(() => this.exists, signal)]);
  }

  private async waitForOperation(): Promise<void> {
    const { store, key } = this.options;
    try {
      // The creation event may come between the read and the wait: `created`, subscribed to first, says so. A doorbell
      // can be lost on a remote bus: each poll (a new generation) reads again.
      for (;;) {
        const generation = this.generation;
        if (await this.fromJournal(() => store.getOperation(key))) break;
        await this.until(() => this.created || this.generation !== generation, undefined);
        if (this.created || this.closed) break;
      }
    } catch (error) {
      // A failed read is not kept: the next reader asks again.
      this.started = undefined;
      throw error;
    }
    this.exists = true;
    this.notify();
  }

  /** From the cache, reading (once for all readers) what the journal has beyond it; undefined when nothing is there. */
  private async windowAfter(after: number): Promise<ProgressFeedRead<T> | undefined> {
    const cached = this.cachedAfter(after);
    if (cached) return cached;
    await this.load(Math.floor(after / this.options.pageSize));
    return this.cachedAfter(after);
  }

  /** The events after `after` in the cached page that holds them (which becomes the most recently read), if any. */
  private cachedAfter(after: number): ProgressFeedRead<T> | undefined {
    const { pageSize } = this.options;
    const index = Math.floor(after / pageSize);
    const offset = after - index * pageSize;
    const page = this.pages.get(index);
    if (!page || page.length <= offset) return undefined;
    this.pages.delete(index);
    this.pages.set(index, page);
    return windowOn(page, offset, after);
  }

  private async load(index: number): Promise<void> {
    const pending = this.loading.get(index);
    if (pending) return pending;
    const exhausted = this.exhausted;
    // Nothing was published since a read found this page's end: the journal has nothing more to give.
    if (exhausted?.page === index && exhausted.generation === this.generation) return;
    const loading = this.readPage(index).finally(() => this.loading.delete(index));
    this.loading.set(index, loading);
    return loading;
  }

  private async readPage(index: number): Promise<void> {
    const { store, key, pageSize, transform } = this.options;
    const generation = this.generation;
    const have = this.pages.get(index)?.length ?? 0;
    const events = await this.fromJournal(() => store.listEvents(key, index * pageSize + have, pageSize - have));
    const items = events.length > 0 ? await transform(events) : [];
    if (this.closed) return;
    // The page may have been dropped meanwhile: what was read is only kept on top of what it was read after.
    const page = this.pages.get(index) ?? [];
    if (page.length === have) page.push(...items);
    this.pages.set(index, page);
    if (page.length < pageSize) this.exhausted = { page: index, generation };
    this.evict(index);
  }

  private evict(keep: number): void {
    const { pageSize, cachedPages } = this.options;
    let full = 0;
    for (const page of this.pages.values()) if (page.length === pageSize) full += 1;
    for (const [index, page] of this.pages) {
      if (full <= cachedPages) break;
      if (index === keep || page.length < pageSize) continue;
      this.pages.delete(index);
      full -= 1;
    }
  }

  /** The operation's last sequence and whether it runs, read once per bus generation for all readers. */
  private operationStatus(): Promise<{ last: number; running: boolean } | null> {
    const generation = this.generation;
    if (this.operationCheck?.generation !== generation) {
      const status = this.fromJournal(() => this.options.store.getOperation(this.options.key)).then((operation) =>
        operation ? { last: operation.lastSequence, running: operation.status === 'RUNNING' } : null,
      );
      // A failed read is not kept: the next reader asks again.
      status.catch(() => {
        if (this.operationCheck?.status === status) this.operationCheck = undefined;
      });
      this.operationCheck = { generation, status };
    }
    return this.operationCheck.status;
  }

  /**
   * A journal read, again and again with capped backoff while the journal cannot be reached: a stream outlives an
   * outage. Reported once per outage; the error's message names the journal without credentials (the stores see to
   * that), and the logger redacts what it knows as secret besides. Any other error is the read's.
   */
  private async fromJournal<R>(read: () => Promise<R>): Promise<R> {
    const { initialMs, maxMs } = this.options.retry ?? DEFAULT_RETRY;
    let delay = initialMs;
    for (;;) {
      try {
        const result = await read();
        if (this.outage) {
          this.outage = false;
          this.options.logger?.info('progress feed: the journal answers again', { operation: this.options.key });
        }
        return result;
      } catch (error) {
        if (!isUnavailable(error) || this.closed) throw error;
        if (!this.outage) {
          this.outage = true;
          this.options.logger?.warn('progress feed: the journal cannot be read; streams wait and read again', {
            operation: this.options.key,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        await this.wait(delay, this.closing.signal);
        if (this.closed) throw error;
        delay = Math.min(delay * 2, maxMs);
      }
    }
  }

  /**
   * While readers wait for live events on a bus that may lose doorbells, a new generation every poll interval: the
   * next read goes to the journal as if the doorbell had rung. Stops when nobody waits (and starts again with the next
   * waiter), so an idle feed holds no timer.
   */
  private startPolling(): void {
    const interval = this.options.bus.pollIntervalMs;
    if (interval === undefined || this.polling || this.closed) return;
    this.polling = true;
    void (async () => {
      while (!this.closed && this.waiters.size > 0) {
        await this.wait(interval, this.closing.signal);
        if (this.closed) break;
        this.generation += 1;
        this.notify();
      }
      this.polling = false;
    })();
  }

  /**
   * Live events are picked up on a later turn of the event loop, not in the publisher's microtask: deletion work goes
   * first (a slow subscriber must never slow deletions down), and many publishes become one journal read.
   */
  private scheduleNotify(): void {
    if (this.notifyScheduled || this.waiters.size === 0) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      this.notify();
    });
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** Resolves once `ready` holds (checked on every notification), the signal aborts or the feed closes. */
  private until(ready: () => boolean, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.closed && !signal?.aborted && !ready()) return;
        this.waiters.delete(check);
        signal?.removeEventListener('abort', check);
        resolve();
      };
      this.waiters.add(check);
      signal?.addEventListener('abort', check, { once: true });
      check();
      if (this.waiters.has(check)) this.startPolling();
    });
  }
}
