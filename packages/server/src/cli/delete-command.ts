import { Command } from 'commander';
import { deleteWithProgress, newOperationId } from '@unreel/client';
import type { CommandContext } from './command-context.js';
import { withConnectionFlags, type ConnectionFlags } from './connection.js';
import { followDeletion } from './follow-deletion.js';
import { readIds } from './id-input.js';

interface DeleteFlags extends ConnectionFlags {
  file?: string;
  operationId?: string;
}

export function deleteCommand(context: CommandContext): Command {
  return withConnectionFlags(new Command('delete'))
    .summary('delete videos and follow each one to its end')
    .description(
      'Deletes videos and follows each one to its end, with a progress bar on a terminal and a line per video when ' +
        'piped. Ids come as arguments, from --file, or on standard input, one per line ("#" starts a comment). The ' +
        'first line names the operation: after Ctrl-C or a lost connection, run the same command with ' +
        '--operation-id <id>, or `unreel watch <id>`, to pick it up where it was.',
    )
    .argument('[ids...]', 'video ids, <account>:<provider id>, e.g. sandbox:vid-000001')
    .option('--file <path>', 'read the ids from this file, one per line')
    .option('--operation-id <id>', 'the operation (idempotency key) to start or resume; default: a new UUID')
    .addHelpText(
      'after',
      `
Examples:
  unreel delete sandbox:vid-000001 sandbox:vid-000002
  unreel delete --url http://unreel.internal:4000/graphql < ids.txt
  unreel delete --file ids.txt --operation-id cleanup-2026-01 --json | jq -c 'select(.type == "item")'`,
    )
    .action(async (args: string[], flags: DeleteFlags) => {
      const ids = await readIds({ args, file: flags.file, stdin: context.stdin });
      const operationId = flags.operationId ?? newOperationId();
      context.exitCode = await followDeletion(context, flags, operationId, 0, ({ connection, reporter }) =>
        deleteWithProgress({
          ...connection.options,
          ids,
          operationId,
          onStart: (id) => reporter.operation(id, ids.length),
          onProgress: (event) => reporter.item(event),
          onRetry: (info) => reporter.retry(info),
        }),
      );
    });
}
