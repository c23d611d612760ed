import { Command } from 'commander';
import { watchDeletion } from '@unreel/client';
import type { CommandContext } from './command-context.js';
import { withConnectionFlags, type ConnectionFlags } from './connection.js';
import { usageError } from './exit-codes.js';
import { followDeletion } from './follow-deletion.js';

interface WatchFlags extends ConnectionFlags {
  after: string;
}

export function watchCommand(context: CommandContext): Command {
  return withConnectionFlags(new Command('watch'))
    .summary('follow a running (or finished) deletion to its end')
    .description(
      'Follows a deletion to its end, as `unreel delete` does: every item after --after (default: from the start), ' +
        'then the outcome. The exit code says whether every item succeeded.',
    )
    .argument('<operationId>', 'the operation, as `unreel delete` printed it')
    .option('--after <sequence>', 'the last event already seen: show only the ones after it', '0')
    .action(async (operationId: string, flags: WatchFlags) => {
      const after = Number(flags.after);
      if (!Number.isInteger(after) || after < 0)
        throw usageError(`--after must be a whole number >= 0, got ${JSON.stringify(flags.after)}`);
      context.exitCode = await followDeletion(context, flags, operationId, after, ({ connection, reporter }) => {
        reporter.operation(operationId, undefined);
        return watchDeletion({
          ...connection.options,
          operationId,
          after,
          onProgress: (event) => reporter.item(event),
          onRetry: (info) => reporter.retry(info),
        });
      });
    });
}
