import { JournalUnavailableError } from '../errors/journal-unavailable-error.js';
import type { OperationStore } from '../store/operation-store.js';
import type { EngineLogger } from './engine-logger.js';
import { sleep } from './sleep.js';

/** What `DeletionEngine.journalStatus()` says: whether the journal can be written, as the engine last found it. */
export type JournalStatus =
  | { writable: true }
  | {
      writable: false;
      since: Date;
      reason: string;
      journal: string;
      /** The error new requests get. */
      message: string;
      /** Writes that failed since the journal went down, retries included. */
      failures: number;
    };

export interface JournalGuardOptions {
  store: OperationStore;
  logger: EngineLogger;
  now: () => Date;
  shutdown: AbortSignal;
  /** The first wait before the journal is tried again, doubled after each failure up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
}

/**
 * Keeps the engine's writes from dropping work when the journal cannot be written (a full disk, a read-only or locked
 * file). The first failed write marks the journal down; from then on new requests are refused at once
 * (`assertWritable`), accepted work waits in `write` without making provider calls it could not journal, and a retry
 * loop with exponential backoff tries again: the waiting writes themselves, or a write that changes nothing when none
 * waits. The first write that succeeds marks the journal up and lets everything waiting go, in the order it came.
 */
export class JournalGuard {
  private readonly options: JournalGuardOptions;
  private down: { error: JournalUnavailableError; since: Date } | undefined;
  private failures = 0;
  private waiting = 0;
  private retrying = false;
  /** Resolved whenever the waiting writes should try again (a retry is due, the journal is up, or shutdown). */
  private tick = deferred();

  constructor(options: JournalGuardOptions) {
    this.options = options;
    options.shutdown.addEventListener('abort', () => this.releaseWaiting(), { once: true });
  }

  status(): JournalStatus {
    if (!this.down) return { writable: true };
    const { error, since } = this.down;
    return {
      writable: false,
      since,
      reason: error.reason,
      journal: error.journal,
      message: error.message,
      failures: this.failures,
    };
  }

  /** New requests are refused while the journal is known to be down: it is retried by the work already waiting. */
  assertWritable(): void {
    if (this.down) throw this.down.error;
  }

  /** A new request's write: tried once. A journal failure marks the journal down and is the request's answer. */
  async attempt<T>(write: () => Promise<T>): Promise<T> {
    this.assertWritable();
    try {
      const result = await write();
      this.up();
      return result;
    } catch (error) {
      if (JournalUnavailableError.isInstance(error)) this.fail(error);
      throw error;
    }
  }

  /**
   * A write of work already accepted: tried until the journal takes it. Rejects only with an error that waiting cannot
   * help, or at shutdown, when the journal still holds the work as it was before this write and the next start resumes
   * it from there.
   */
  async write<T>(write: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.down) {
        await this.nextTick();
        if (this.options.shutdown.aborted) throw this.down?.error ?? this.options.shutdown.reason;
      }
      try {
        const result = await write();
        this.up();
        return result;
      } catch (error) {
        if (!JournalUnavailableError.isInstance(error)) throw error;
        this.fail(error);
      }
    }
  }

  private async nextTick(): Promise<void> {
    this.waiting += 1;
    try {
      await this.tick.promise;
    } finally {
      this.waiting -= 1;
    }
  }

  private fail(error: JournalUnavailableError): void {
    this.failures += 1;
    if (!this.down) {
      this.down = { error, since: this.options.now() };
      this.options.logger.error('journal cannot be written: accepted work waits for it, new requests are refused', {
        journal: error.journal,
        reason: error.reason,
        error: String(error.cause ?? error),
      });
    }
    if (!this.retrying) void this.retryLoop();
  }

  private up(): void {
    if (!this.down) return;
    const { error, since } = this.down;
    this.down = undefined;
    this.failures = 0;
    this.options.logger.info('journal can be written again: waiting work resumes', {
      journal: error.journal,
      downForMs: this.options.now().getTime() - since.getTime(),
    });
    this.releaseWaiting();
  }

  private async retryLoop(): Promise<void> {
    const { shutdown, retryInitialMs, retryMaxMs, store } = this.options;
    this.retrying = true;
    try {
      while (this.down && !shutdown.aborted) {
        await sleep(Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(this.failures - 1, 30)), shutdown);
        if (!this.down || shutdown.aborted) return;
        if (this.waiting > 0) {
          // The waiting writes are the test; they mark the journal up or count another failure themselves.
          this.releaseWaiting();
          continue;
        }
        try {
          await store.probeWrite();
          this.up();
        } catch (error) {
          if (JournalUnavailableError.isInstance(error)) this.fail(error);
          else this.failures += 1;
        }
      }
    } finally {
      this.retrying = false;
    }
  }

  private releaseWaiting(): void {
    const { resolve } = this.tick;
    this.tick = deferred();
    resolve();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}
