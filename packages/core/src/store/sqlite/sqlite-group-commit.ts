import type { Database, Transaction } from 'better-sqlite3';

interface QueuedWrite {
  write: () => unknown;
  atomic: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit. Writes queued in the same turn of the event loop run, in the order they were queued, inside one
 * SQLite transaction, each in a savepoint of its own so that a failing write fails alone; every promise settles only
 * after that transaction has committed. A commit costs about the same whether it carries one batch's rows or
 * sixteen, so concurrent batches share one; and as nothing settles before it is durable, nobody publishes an event
 * or calls a provider on the strength of a write the journal does not hold yet.
 */
export class SqliteGroupCommit {
  private readonly db: Database;
  private readonly runGroup: Transaction<(writes: readonly QueuedWrite[]) => Outcome[]>;
  /** Runs `work` inside a write in a savepoint: if it throws, nothing it did remains, and the group goes on. */
  readonly savepoint: <T>(work: () => T) => T;
  /** Told after every commit (the checkpointer's clock). */
  private readonly onCommit: () => void;
  private queue: QueuedWrite[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(db: Database, onCommit: () => void = () => {}) {
    this.db = db;
    this.onCommit = onCommit;
    // Called inside the group's transaction, a better-sqlite3 transaction function runs as a savepoint.
    const savepoint = db.transaction((work: () => unknown) => work());
    this.savepoint = <T>(work: () => T): T => savepoint(work) as T;
    this.runGroup = db.transaction((writes: readonly QueuedWrite[]) =>
      writes.map((entry): Outcome => {
        try {
          return { ok: true, value: entry.atomic ? entry.write() : savepoint(entry.write) };
        } catch (error) {
          // Some failures (a full disk, an I/O error) end the whole transaction: the rest must not run in autocommit.
          if (!this.db.inTransaction) throw error;
          return { ok: false, error };
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
      this.queue.push({ write, atomic: options.atomic ?? false, resolve: resolve as (value: unknown) => void, reject });
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
    let outcomes: Outcome[];
    try {
      outcomes = this.runGroup.immediate(group);
    } catch (error) {
      for (const entry of group) entry.reject(error);
      return;
    }
    this.onCommit();
    outcomes.forEach((outcome, index) => {
      const entry = group[index] as QueuedWrite;
      if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
