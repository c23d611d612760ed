import type { Database } from 'better-sqlite3';

/**
 * WAL pages SQLite lets pile up before it checkpoints on its own, in the middle of a write: about 40 MB at 4 KiB pages.
 * SQLite's default (1,000 pages) checkpoints every few thousand journaled items, each time copying pages to the
 * database file and syncing it, on the deletion's critical path; most of a burst of deletions now fits before it.
 */
const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** Quiet time after the last commit before the WAL is copied into the database file and truncated. */
const IDLE_MS = 1_000;

/**
 * Moves checkpoints off the write path: with a large auto-checkpoint threshold (a bound under sustained load), the
 * WAL is folded into the database once the journal has been quiet for a moment. Checkpoints change nothing of what
 * the journal says or of its durability (committed transactions are in the WAL either way); they keep its files small.
 */
export class SqliteCheckpointer {
  private readonly db: Database;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(db: Database) {
    this.db = db;
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  }

  /** Called after every commit: (re)starts the quiet period. */
  committed(): void {
    this.dirty = true;
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.checkpoint(), IDLE_MS);
      // A pending checkpoint never keeps the process alive: closing the database checkpoints too.
      this.timer.unref();
    }
  }

  /** Folds the WAL into the database now; a no-op when nothing was committed since the last time. */
  checkpoint(): void {
    this.timer = undefined;
    if (!this.dirty || !this.db.open) return;
    this.dirty = false;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Busy or failing: the WAL keeps every commit all the same, and the next quiet period (or SQLite's own
      // threshold) tries again.
      this.dirty = true;
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
