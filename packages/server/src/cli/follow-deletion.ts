import type { DeletionOutcome } from '@unreel/client';
import type { CommandContext } from './command-context.js';
import { connectionFrom, DEFAULT_URL, type Connection, type ConnectionFlags } from './connection.js';
import { EXIT, fromClientError, type CliError } from './exit-codes.js';
import { errorLine, interruptedLine } from './json-lines.js';
import { exitCodeOfResult, ProgressReporter } from './progress-reporter.js';
import { Printer } from './terminal.js';

export interface FollowRun {
  connection: Connection;
  reporter: ProgressReporter;
}

/**
 * Runs `deleteWithProgress` or `watchDeletion` with a reporter, until the operation is final (exit 0 or 1), Ctrl-C
 * (exit 130, the operation goes on), or a failure (exit 2 or 3). Either way the last lines say how to resume.
 */
export async function followDeletion(
  context: CommandContext,
  flags: ConnectionFlags,
  operationId: string,
  after: number,
  run: (follow: FollowRun) => Promise<DeletionOutcome>,
): Promise<number> {
  const stop = new AbortController();
  const connection = connectionFrom(flags, stop.signal);
  const printer = new Printer(context.terminal, flags.json === true);
  const reporter = new ProgressReporter(printer, { after });
  const release = context.onInterrupt(() => stop.abort());
  try {
    const { result } = await run({ connection, reporter });
    reporter.result(result);
    return exitCodeOfResult(result);
  } catch (error) {
    reporter.stop();
    const resume = resumeHint(operationId, reporter.lastSequence, connection.url);
    if (stop.signal.aborted) {
      if (printer.json) printer.out('', interruptedLine(operationId, reporter.lastSequence));
      printer.note(
        `stopped watching; operation ${operationId} goes on on the server (unreel cancel ${operationId} stops it).`,
      );
      printer.note(resume);
      return EXIT.interrupted;
    }
    const failure: CliError = fromClientError(error, connection.url);
    if (printer.json) printer.out('', errorLine(failure.code, failure.message, operationId));
    printer.note(`unreel: ${failure.message}`);
    // The operation may exist and run on whatever went wrong here: say how to pick it up again.
    if (failure.exitCode === EXIT.server) printer.note(resume);
    return failure.exitCode;
  } finally {
    release();
  }
}

function resumeHint(operationId: string, after: number, url: string): string {
  const at = url === new URL(DEFAULT_URL).href ? '' : ` --url ${url}`;
  return (
    `resume with: unreel watch ${operationId}${after > 0 ? ` --after ${after}` : ''}${at}` +
    ` (or: unreel delete --operation-id ${operationId}${at} with the same ids or selection)`
  );
}
