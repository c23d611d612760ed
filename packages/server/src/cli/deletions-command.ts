import { Command, Option } from 'commander';
import { DeletionsDocument, requestGraphQL, type OperationStatus } from '@unreel/client';
import type { CommandContext } from './command-context.js';
import { connectionFrom, withConnectionFlags, type ConnectionFlags } from './connection.js';
import { EXIT, fromClientError } from './exit-codes.js';
import { resultLine } from './json-lines.js';
import { describeResult } from './progress-reporter.js';
import { eachPage, pageSize, withPageFlags, type PageFlags } from './paging.js';
import { Printer } from './terminal.js';

// Every status, checked against the schema's own union, so a new one fails the build here rather than the flag.
const STATUSES = Object.keys({
  RUNNING: true,
  SUCCEEDED: true,
  PARTIALLY_FAILED: true,
  FAILED: true,
  CANCELLED: true,
} satisfies Record<OperationStatus, true>);

interface DeletionsFlags extends ConnectionFlags, PageFlags {
  status?: OperationStatus;
}

export function deletionsCommand(context: CommandContext): Command {
  const command = withConnectionFlags(new Command('deletions'))
    .summary('list your deletions, newest first')
    .description('Lists the deletions of this API key (every one without tenants), newest first, a page at a time.')
    .addOption(new Option('--status <status>', 'only those with this status').choices(STATUSES));
  return withPageFlags(command, 20).action(async (flags: DeletionsFlags) => {
    const { url, options } = connectionFrom(flags);
    const printer = new Printer(context.terminal, flags.json === true);
    const first = pageSize(flags);
    try {
      await eachPage(
        flags,
        printer,
        (cursor) => `unreel deletions --after ${cursor}${flags.status ? ` --status ${flags.status}` : ''}`,
        async (after) => {
          const { deletions } = await requestGraphQL({
            ...options,
            document: DeletionsDocument,
            variables: {
              first,
              ...(after === undefined ? {} : { after }),
              ...(flags.status ? { status: flags.status } : {}),
            },
            retry: options.retry ?? {},
          });
          for (const { node } of deletions.edges)
            printer.out(`${node.id}  ${node.createdAt}  ${describeResult(node)}`, {
              ...resultLine(node),
              type: 'deletion',
            });
          return deletions.pageInfo;
        },
      );
    } catch (error) {
      throw fromClientError(error, url);
    }
    context.exitCode = EXIT.ok;
  });
}
