import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * A small file beside a SQLite journal that says one was created there. A journal that has vanished between two runs
 * (deleted, a volume not mounted, a path mistyped in an edit) would otherwise start empty without a word, losing the
 * open operations and every idempotency key; with the marker left behind, the start is refused instead.
 */
export class JournalMarker {
  readonly file: string;
  private readonly journal: string;

  constructor(journal: string) {
    this.journal = journal;
    this.file = `${journal}.marker`;
  }

  /** When the marker says the journal was created, if there is a marker. */
  createdAt(): string | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      const { createdAt } = JSON.parse(readFileSync(this.file, 'utf8')) as { createdAt?: unknown };
      return typeof createdAt === 'string' ? createdAt : 'an earlier run';
    } catch {
      // Unreadable or edited by hand: it still says a journal was here.
      return 'an earlier run';
    }
  }

  write(at: Date): void {
    const body = {
      journal: this.journal,
      createdAt: at.toISOString(),
      note: 'unreel refuses to start while this file exists and the journal beside it does not (--new-journal overrides)',
    };
    writeFileSync(this.file, `${JSON.stringify(body, null, 2)}\n`);
  }
}
