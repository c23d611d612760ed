import { JournalUnavailableError } from '../../errors/journal-unavailable-error.js';

/**
 * SQLite's result codes (extended codes share the primary one as a prefix) that say the file or the disk under it is
 * in the way, not the statement: the same write can succeed once the condition is gone, so the engine waits for it.
 */
const conditions: readonly (readonly [prefix: string, reason: string])[] = [
  ['SQLITE_FULL', 'the disk or the journal is full'],
  ['SQLITE_READONLY', 'the journal is read-only'],
  ['SQLITE_BUSY', 'another connection holds the journal locked'],
  ['SQLITE_LOCKED', 'another connection holds the journal locked'],
  ['SQLITE_IOERR', 'the disk reported an I/O error'],
  ['SQLITE_CANTOPEN', 'the journal file cannot be opened'],
  ['SQLITE_PERM', 'the journal file may not be written'],
  ['SQLITE_CORRUPT', 'the journal file is damaged'],
  ['SQLITE_NOTADB', 'the journal file is not an SQLite database'],
];

/** A plain reason for an SQLite error that comes from the file or the disk; undefined for any other error. */
function conditionOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return conditions.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))?.[1];
}

/** A failed write as the engine needs to see it: JournalUnavailableError when waiting can help, else unchanged. */
export function journalWriteError(error: unknown, file: string): unknown {
  const reason = conditionOf(error);
  return reason === undefined ? error : new JournalUnavailableError(file, reason, { cause: error });
}

/** A journal that cannot be opened at start, in one line that names the file. */
export function journalOpenError(error: unknown, file: string): Error {
  const detail = error instanceof Error ? error.message : String(error);
  const reason = conditionOf(error);
  return new Error(`Journal ${file}: ${reason === undefined ? detail : `${reason} (${detail})`}`, { cause: error });
}
