import { UnreelClientError } from '@unreel/client';

/** The command line's exit codes, documented in the README ("Command line"); scripts switch on them. */
export const EXIT = {
  /** Every item succeeded (or the command had nothing to report as failed). */
  ok: 0,
  /** Some items failed, or the operation ended FAILED, PARTIALLY_FAILED or CANCELLED. */
  itemsFailed: 1,
  /** The command line or its input was wrong (an unknown option, a bad id, an unknown operation). */
  usage: 2,
  /** The server could not be reached, or refused the API key. */
  server: 3,
  /** Ctrl-C: we stopped watching; the operation goes on on the server. 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

/** A failure the command reports in one line and ends with `exitCode`; its message never holds the API key. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error: the command line or the ids given are wrong, and trying again as it is would fail again. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage, 'USAGE');
}

/**
 * A client error as the command's message and exit code. The client's messages carry no credential (they quote the
 * server's answers, which never echo a key), and the key is never put into one here.
 */
export function fromClientError(error: unknown, url: string): CliError {
  if (!UnreelClientError.isInstance(error)) {
    return new CliError(error instanceof Error ? error.message : String(error), EXIT.server, 'INTERNAL');
  }
  switch (error.code) {
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return new CliError(
        `the server at ${url} refused the API key (${error.message}): pass a key it knows with --api-key or UNREEL_API_KEY`,
        EXIT.server,
        error.code,
      );
    case 'NETWORK':
      return new CliError(`could not reach the server at ${url}: ${error.message}`, EXIT.server, error.code);
    case 'BAD_REQUEST':
      // The server's maxIdsPerOperation: one operation cannot take more, and splitting is the caller's choice to make.
      if (error.field === 'ids' && /too many ids/i.test(error.message))
        return new CliError(
          `${error.message}: split the list (e.g. split -l) and delete each part as its own operation`,
          EXIT.usage,
          error.code,
        );
      return new CliError(error.message, EXIT.usage, error.code);
    case 'CONFLICT':
    case 'NOT_FOUND':
      return new CliError(error.message, EXIT.usage, error.code);
    default:
      return new CliError(error.message, EXIT.server, error.code);
  }
}
