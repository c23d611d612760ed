import { Command } from 'commander';
import { deleteWithProgress, newOperationId, requestGraphQL, SelectVideosDocument } from '@unreel/client';
import type { CommandContext } from './command-context.js';
import { connectionFrom, withConnectionFlags, type ConnectionFlags } from './connection.js';
import { EXIT, fromClientError, usageError } from './exit-codes.js';
import { followDeletion } from './follow-deletion.js';
import { readIds } from './id-input.js';
import { selectionLine } from './json-lines.js';
import { hasSelectionFlags, maxItemsFrom, selectionFrom, type SelectionFlags } from './selection-flags.js';
import { Printer } from './terminal.js';

interface DeleteFlags extends ConnectionFlags, SelectionFlags {
  file?: string;
  operationId?: string;
  sample: string;
}

const SELECTION_FLAGS = '--account, --created-before, --created-after, --status, --max-items';

export function deleteCommand(context: CommandContext): Command {
  return withConnectionFlags(new Command('delete'))
    .summary('delete videos by id or by selection, and follow each one to its end')
    .description(
      'Deletes videos and follows each one to its end, with a progress bar on a terminal and a line per video when ' +
        'piped. Ids come as arguments, from --file, or on standard input, one per line ("#" starts a comment). Or ' +
        'instead of ids, a selection: every video of --account that matches --created-before, --created-after and ' +
        '--status, discovered while deleting, at most --max-items; --dry-run only counts them. The first line names ' +
        'the operation: after Ctrl-C or a lost connection, run the same command with --operation-id <id>, or ' +
        '`unreel watch <id>`, to pick it up where it was.',
    )
    .argument('[ids...]', 'video ids, <account>:<provider id>, e.g. sandbox:vid-000001')
    .option('--file <path>', 'read the ids from this file, one per line')
    .option('--operation-id <id>', 'the operation (idempotency key) to start or resume; default: a new UUID')
    .option('--account <name>', 'delete by selection: every matching video of this account')
    .option('--created-before <date>', 'selection: created before this ISO date or date-time (exclusive)')
    .option('--created-after <date>', 'selection: created at or after this ISO date or date-time')
    .option(
      '--status <status>',
      'selection: in this status (PROCESSING, READY, FAILED, DELETED, UNKNOWN); repeat it or separate with commas',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--max-items <n>', 'selection: delete at most this many (required without --dry-run)')
    .option('--dry-run', 'selection: only count the matching videos and show a few; nothing is deleted')
    .option('--sample <n>', 'with --dry-run: how many matching videos to show', '10')
    .addHelpText(
      'after',
      `
Examples:
  unreel delete sandbox:vid-000001 sandbox:vid-000002
  unreel delete --url http://unreel.internal:4000/graphql < ids.txt
  unreel delete --file ids.txt --operation-id cleanup-2026-01 --json | jq -c 'select(.type == "item")'
  unreel delete --account sandbox --status FAILED --dry-run
  unreel delete --account sandbox --created-before 2026-01-01 --status FAILED,PROCESSING --max-items 5000`,
    )
    .action(async (args: string[], flags: DeleteFlags) => {
      if (hasSelectionFlags(flags) || flags.dryRun) {
        if (args.length > 0 || flags.file !== undefined) {
          throw usageError(`give video ids (arguments, --file) or a selection (${SELECTION_FLAGS}), not both`);
        }
        const selection = selectionFrom(flags);
        if (flags.dryRun) {
          context.exitCode = await preview(context, flags, selection);
          return;
        }
        const maxItems = maxItemsFrom(flags);
        const operationId = flags.operationId ?? newOperationId();
        context.exitCode = await followDeletion(context, flags, operationId, 0, ({ connection, reporter }) =>
          deleteWithProgress({
            ...connection.options,
            selection,
            maxItems,
            operationId,
            onStart: (id) => reporter.operation(id, undefined, maxItems),
            onProgress: (event) => reporter.item(event),
            onRetry: (info) => reporter.retry(info),
          }),
        );
        return;
      }
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

/** --dry-run: the server's selectVideos, which lists the account and changes nothing. */
async function preview(
  context: CommandContext,
  flags: DeleteFlags,
  selection: ReturnType<typeof selectionFrom>,
): Promise<number> {
  const sample = Number(flags.sample);
  if (!/^\d+$/.test(flags.sample) || !Number.isSafeInteger(sample)) {
    throw usageError(`--sample must be a whole number >= 0, got ${JSON.stringify(flags.sample)}`);
  }
  if (flags.maxItems !== undefined) maxItemsFrom(flags);
  const { url, options } = connectionFrom(flags);
  const printer = new Printer(context.terminal, flags.json === true);
  let answer;
  try {
    ({ selectVideos: answer } = await requestGraphQL({
      ...options,
      document: SelectVideosDocument,
      variables: { selection, sample },
      retry: options.retry ?? {},
    }));
  } catch (error) {
    throw fromClientError(error, url);
  }
  for (const video of answer.sample) {
    printer.out(`${video.id} ${video.status} ${video.createdAt ?? '-'} ${video.title ?? ''}`.trimEnd(), {
      type: 'video',
      id: video.id,
      account: video.account,
      provider: video.provider,
      nativeId: video.nativeId,
      title: video.title,
      status: video.status,
      createdAt: video.createdAt,
    });
  }
  const count = answer.complete
    ? `${answer.count} videos match`
    : `at least ${answer.count} videos match (the server stopped listing at its preview bound)`;
  printer.out(`${count}; dry run, nothing deleted`, selectionLine(answer.count, answer.complete));
  return EXIT.ok;
}
