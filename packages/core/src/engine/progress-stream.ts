import type { EventBus } from '../events/event-bus.js';
import type { ProgressEvent } from '../model/operation.js';
import type { OperationStore } from '../store/operation-store.js';

export interface ProgressStreamOptions {
  store: OperationStore;
  bus: EventBus;
  key: string;
  after: number;
  pageSize: number;
  signal?: AbortSignal | undefined;
}

/**
 * deletionProgress as an async iterator: waits for the operation to exist, replays the journal after `after`, then
 * follows it live, and ends once the operation is finished and its last event was delivered.
 *
 * The bus only says "the journal grew"; events are always read back from the journal, so a stream has no gap and no
 * duplicate whatever the timing, and a slow consumer loses nothing. A class rather than an async generator because
 * `return()` must end a stream that is waiting, which a suspended generator cannot do.
 */
export class ProgressStream implements AsyncIterableIterator<ProgressEvent> {
  private readonly options: ProgressStreamOptions;
  private last: number;
  private buffer: ProgressEvent[] = [];
  private journalMayHaveMore = true;
  private started = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private wakeScheduled = false;
  /** Set once the replay has caught up with the journal. */
  private live = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(options: ProgressStreamOptions) {
    this.options = options;
    this.last = Math.max(0, options.after);
    const onAbort = (): void => void this.return();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.cleanups.push(() => options.signal?.removeEventListener('abort', onAbort));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ProgressEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<ProgressEvent>> {
    const { store, key, pageSize } = this.options;
    while (!this.closed) {
      const buffered = this.buffer.shift();
      if (buffered) {
        this.last = buffered.sequence;
        return { value: buffered, done: false };
      }
      if (!this.started) {
        await this.start();
        continue;
      }
      if (this.journalMayHaveMore) {
        // Following live: let pending deletion work run before reading what it wrote (see scheduleWake).
        if (this.live) await new Promise<void>((resolve) => setImmediate(resolve));
        this.journalMayHaveMore = false;
        const page = await store.listEvents(key, this.last, pageSize);
        if (page.length > 0) {
          this.buffer = page;
          this.journalMayHaveMore = page.length === pageSize;
          continue;
        }
      }
      const operation = await store.getOperation(key);
      if (!operation) break;
      if (operation.lastSequence > this.last) {
        this.journalMayHaveMore = true;
        continue;
      }
      if (operation.status !== 'RUNNING') break;
      this.live = true;
      await this.nextWake(() => this.journalMayHaveMore);
    }
    this.cleanup();
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ProgressEvent>> {
    this.cleanup();
    return { value: undefined, done: true };
  }

  private async start(): Promise<void> {
    const { store, bus, key } = this.options;
    // Subscribe before the first read, so nothing written in between goes unnoticed.
    this.cleanups.push(
      bus.subscribe(key, () => {
        this.journalMayHaveMore = true;
        this.scheduleWake();
      }),
    );
    if (!(await store.getOperation(key))) {
      let created = false;
      this.cleanups.push(
        bus.onOperationCreated(key, () => {
          created = true;
          this.wake?.();
        }),
      );
      // The operation may have been created between the read and the subscription.
      if (!(await store.getOperation(key))) await this.nextWake(() => created);
    }
    this.started = true;
  }

  /**
   * Live events are picked up on a later turn of the event loop, not in the publisher's microtask: deletion work goes
   * first (a slow subscriber must never slow deletions down), and many publishes become one journal read.
   */
  private scheduleWake(): void {
    if (this.wakeScheduled || !this.wake) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.wake?.();
    });
  }

  /** Resolves on the next bus signal or close, at once if `ready` already holds. */
  private nextWake(ready: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
      if (this.closed || ready()) this.wake();
    });
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.buffer = [];
    this.wake?.();
  }
}
