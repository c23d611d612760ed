import { UnreelError } from './unreel-error.js';

const marker = 'unreel.error.JournalUnavailableError';
const symbol = Symbol.for(marker);

/**
 * The journal cannot be written right now (a full disk, a read-only or locked file, an I/O error); the write that
 * failed changed nothing. Work already accepted waits for the journal and resumes by itself; a new request is refused
 * with this error and may be sent again later. The message, which clients see, leaves the file out; `journal` names it
 * for the logs.
 */
export class JournalUnavailableError extends UnreelError {
  private readonly [symbol] = true;
  readonly retryable = true;
  /** The journal's file. */
  readonly journal: string;
  /** Why, in plain words (`the disk or the journal is full`). */
  readonly reason: string;

  constructor(journal: string, reason: string, options?: { cause?: unknown }) {
    super(
      'JOURNAL_UNAVAILABLE',
      `The journal cannot be written right now (${reason}); nothing was changed, retry later`,
    );
    this.name = 'JournalUnavailableError';
    this.journal = journal;
    this.reason = reason;
    if (options?.cause !== undefined) this.cause = options.cause;
  }

  static override isInstance(error: unknown): error is JournalUnavailableError {
    return UnreelError.hasMarker(error, marker);
  }
}
