import { JournalUnavailableError } from '@unreel/core';

/**
 * PostgreSQL SQLSTATE classes and codes that say the server is out of reach or cannot take writes now, not that the
 * statement is wrong: the same write can succeed once the condition is gone, so the engine waits for it.
 */
const sqlStates: readonly (readonly [prefix: string, reason: string])[] = [
  ['08', 'the connection to PostgreSQL failed'],
  ['57P', 'PostgreSQL is shutting down or starting up'],
  ['53', 'PostgreSQL is out of resources (disk, memory or connections)'],
  ['25006', 'PostgreSQL accepts no writes (a read-only server)'],
];

/** Socket errors Node reports when the server cannot be reached, or went away mid-query. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** Errors pg raises itself (no code) when a connection dies or never comes. */
const connectionMessages = [
  'Connection terminated',
  'connection timeout',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
];

/** A plain reason for an error that comes from reaching PostgreSQL; undefined for any other error. */
function unavailableReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (socketCodes.has(code)) return 'PostgreSQL cannot be reached';
    const match = sqlStates.find(([prefix]) => code.startsWith(prefix));
    if (match) return match[1];
  }
  const message = error instanceof Error ? error.message : '';
  if (connectionMessages.some((text) => message.includes(text))) return 'the connection to PostgreSQL failed';
  if (error instanceof AggregateError)
    return error.errors.map(unavailableReason).find((reason) => reason !== undefined);
  return undefined;
}

/** A failed call as the engine needs to see it: JournalUnavailableError when waiting can help, else unchanged. */
export function journalError(error: unknown, journal: string): unknown {
  if (JournalUnavailableError.isInstance(error)) return error;
  const reason = unavailableReason(error);
  return reason === undefined ? error : new JournalUnavailableError(journal, reason, { cause: error });
}
