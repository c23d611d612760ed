import type { Database, Transaction } from 'better-sqlite3';
import { SqliteSavepoint } from './sqlite-savepoint.js';

/** Settles a write's promise once its group has committed, or failed as a whole. */
type Settle = () => void;

interface QueuedWrite {
  atomic: boolean;
  /** Runs the write; returns how its promise settles, which happens only after the commit. */
  run: () => Settle;
  reject: (error: unknown) => void;
}

/**
 * Group commit. Writes queued in the same turn of the event loop run, in the order they were queued, inside one
 * SQLite transaction, each in a savepoint of its own so that a failing write fails alone; every promise settles only
 * after that transaction has committed. A commit costs about the same whether it carries one batch's rows or
 * sixteen, so concurrent batches share one; and as nothing settles before it is durable, nobody publishes an event
 * or calls a provider on the strength of a write the journal does not hold yet.
 */
export class SqliteGroupCommit {
  private readonly db: Database;
  private readonly runGroup: Transaction<(writes: readonly QueuedWrite[]) => Settle[]>;
  /** For writes that need a savepoint of their own (see `enqueue`'s `atomic`). */
  readonly savepoint: SqliteSavepoint;
  /** Told after every commit (the checkpointer's clock). */
  private readonly onCommit: () => void;
  /** What a failed write rejects with, made of SQLite's error (see journalWriteError). */
  private readonly failure: (error: unknown) => unknown;
  private queue: QueuedWrite[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(db: Database, options: { onCommit?: () => void; failure?: (error: unknown) => unknown } = {}) {
    this.db = db;
    this.onCommit = options.onCommit ?? (() => {});
    this.failure = options.failure ?? ((error) => error);
    this.savepoint = new SqliteSavepoint(db);
    this.runGroup = db.transaction((writes: readonly QueuedWrite[]) =>
      writes.map((entry): Settle => {
        try {
          return entry.atomic ? entry.run() : this.savepoint.run(entry.run);
        } catch (error) {
          // Some failures (a full disk, an I/O error) end the whole transaction: the rest must not run in autocommit.
          if (!this.db.inTransaction) throw error;
          return () => entry.reject(this.failure(error));
        }
      }),
    );
  }

  /**
   * Runs `write` in the next group; its result once that group has committed. `atomic` says the write changes nothing
   * unless it completes (it is one statement, or keeps a savepoint of its own), so it needs no savepoint here.
   */
  enqueue<T>(write: () => T, options: { atomic?: boolean } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The journal is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        atomic: options.atomic ?? false,
        run: () => {
          const value = write();
          return () => resolve(value);
        },
        reject,
      });
      // The next turn, not a microtask: by then every batch that is ready has queued its write.
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits whatever is queued now. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const group = this.queue;
    if (group.length === 0) return;
    this.queue = [];
    let settles: Settle[];
    try {
      settles = this.runGroup.immediate(group);
    } catch (error) {
      // Nothing of the group was committed: each of its writes may be tried again whole.
      const failure = this.failure(error);
      for (const entry of group) entry.reject(failure);
      return;
    }
    this.onCommit();
    for (const settle of settles) settle();
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
