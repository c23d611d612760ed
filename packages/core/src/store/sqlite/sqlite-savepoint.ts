import type { Database, Statement } from 'better-sqlite3';

/**
 * A savepoint inside the current transaction. better-sqlite3's nested transaction functions roll back only when the
 * function throws; a write that finds the journal other than its caller saw must roll back too, and that is an
 * expected outcome, not an error, so the statements are run here directly, the way better-sqlite3 runs its own.
 */
export class SqliteSavepoint {
  private readonly db: Database;
  private readonly begin: Statement<[]>;
  private readonly release: Statement<[]>;
  private readonly rollback: Statement<[]>;

  constructor(db: Database) {
    this.db = db;
    this.begin = db.prepare<[]>('SAVEPOINT unreel_write');
    this.release = db.prepare<[]>('RELEASE unreel_write');
    this.rollback = db.prepare<[]>('ROLLBACK TO unreel_write');
  }

  /**
   * Runs `work` in a savepoint and returns its result. Nothing it did remains if it throws, or if `keep` says its
   * result is not to be kept.
   */
  run<T>(work: () => T, keep: (result: T) => boolean = () => true): T {
    this.begin.run();
    let result: T;
    try {
      result = work();
    } catch (error) {
      // Some failures (a full disk, an I/O error) have already ended the whole transaction, savepoint included.
      if (this.db.inTransaction) this.undo();
      throw error;
    }
    if (keep(result)) this.release.run();
    else this.undo();
    return result;
  }

  /** ROLLBACK TO keeps the savepoint open: RELEASE closes it. */
  private undo(): void {
    this.rollback.run();
    this.release.run();
  }
}
