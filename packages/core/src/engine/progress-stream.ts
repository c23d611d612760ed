import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventBus } from '../events/event-bus.js';
import type { ProgressEvent } from '../model/operation.js';
import type { OperationStore } from '../store/operation-store.js';
import { ProgressFeed } from './progress-feed.js';

export interface ProgressStreamOptions {
  store: OperationStore;
  bus: EventBus;
  tenant: string;
  operationId: string;
  key: string;
  after: number;
  pageSize: number;
  signal?: AbortSignal | undefined;
}

/**
 * deletionProgress as an async iterator: waits for the operation to exist, replays the journal after `after`, then
 * follows it live, and ends once the operation is finished (any status but RUNNING) and its last event was delivered.
 *
 * A reader of its own ProgressFeed: the journal is the only source, so a stream has no gap and no duplicate whatever
 * the timing, and a slow consumer loses nothing. Each page is fetched on a later turn of the event loop: events handed
 * out of a buffer resolve in microtasks, and a consumer that writes without waiting for I/O (graphql-ws awaits a send
 * whose callback is a nextTick) would otherwise run a whole replay without letting any other request in.
 *
 * It names whose operation it follows and from where (`tenant`, `operationId`, `after`), so a server can serve the
 * same events to many subscribers from one shared feed instead (`DeletionEngine.progressFeed`).
 */
export class ProgressStream implements AsyncIterableIterator<ProgressEvent> {
  readonly tenant: string;
  readonly operationId: string;
  readonly after: number;
  private readonly feed: ProgressFeed<ProgressEvent>;
  private readonly controller = new AbortController();
  private last: number;
  /** The feed's page this stream reads from, `index` up to `end` (see ProgressFeedRead). */
  private buffer: readonly ProgressEvent[] = [];
  private index = 0;
  private end = 0;
  private readonly cleanups: (() => void)[] = [];

  constructor(options: ProgressStreamOptions) {
    this.tenant = options.tenant;
    this.operationId = options.operationId;
    this.after = Math.max(0, options.after);
    this.last = this.after;
    this.feed = new ProgressFeed({ ...options, transform: (events) => events, cachedPages: 0 });
    const onAbort = (): void => void this.return();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.cleanups.push(() => options.signal?.removeEventListener('abort', onAbort));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ProgressEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<ProgressEvent>> {
    const { signal } = this.controller;
    while (!signal.aborted) {
      const event = this.index < this.end ? this.buffer[this.index] : undefined;
      if (event) {
        this.index += 1;
        this.last = event.sequence;
        return { value: event, done: false };
      }
      await nextTurn();
      const read = await this.feed.read(this.last, signal);
      if ('done' in read) break;
      this.buffer = read.page;
      this.index = read.from;
      this.end = read.from + read.count;
    }
    this.cleanup();
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ProgressEvent>> {
    this.cleanup();
    return { value: undefined, done: true };
  }

  private cleanup(): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.buffer = [];
    this.end = 0;
    this.feed.close();
  }
}
