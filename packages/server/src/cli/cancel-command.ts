import { Command } from 'commander';
import { cancelDeletion } from '@unreel/client';
import type { CommandContext } from './command-context.js';
import { connectionFrom, withConnectionFlags, type ConnectionFlags } from './connection.js';
import { EXIT, fromClientError } from './exit-codes.js';
import { resultLine } from './json-lines.js';
import { describeResult } from './progress-reporter.js';
import { Printer } from './terminal.js';

export function cancelCommand(context: CommandContext): Command {
  return withConnectionFlags(new Command('cancel'))
    .summary('stop a running deletion')
    .description(
      'Stops a deletion: items no provider call has reached become CANCELLED, calls already made finish. Cancelling a ' +
        'finished operation returns it unchanged. Exits 0 once the server has it; `unreel watch` shows how it ends.',
    )
    .argument('<operationId>', 'the operation, as `unreel delete` printed it')
    .action(async (operationId: string, flags: ConnectionFlags) => {
      const { url, options } = connectionFrom(flags);
      const printer = new Printer(context.terminal, flags.json === true);
      try {
        const result = await cancelDeletion({ ...options, operationId });
        printer.out(describeResult(result), resultLine(result));
        context.exitCode = EXIT.ok;
      } catch (error) {
        throw fromClientError(error, url);
      }
    });
}
