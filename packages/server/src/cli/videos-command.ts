import { Command } from 'commander';
import { requestGraphQL, VideosDocument } from '@unreel/client';
import type { CommandContext } from './command-context.js';
import { connectionFrom, withConnectionFlags, type ConnectionFlags } from './connection.js';
import { EXIT, fromClientError } from './exit-codes.js';
import { eachPage, pageSize, withPageFlags, type PageFlags } from './paging.js';
import { Printer } from './terminal.js';

export function videosCommand(context: CommandContext): Command {
  const command = withConnectionFlags(new Command('videos'))
    .summary("list an account's videos, a page at a time")
    .description(
      "Lists an account's videos as its provider lists them (deleted ones are left out), a page at a time; --all " +
        'follows every page. Each line starts with the id that `unreel delete` takes.',
    )
    .argument('<account>', 'the account name, as in the config (the embedded default has "sandbox")')
    .addHelpText('after', '\nExample:\n  unreel videos sandbox --all | cut -d" " -f1 | head -100 | unreel delete');
  return withPageFlags(command, 50).action(async (account: string, flags: ConnectionFlags & PageFlags) => {
    const { url, options } = connectionFrom(flags);
    const printer = new Printer(context.terminal, flags.json === true);
    const first = pageSize(flags);
    try {
      await eachPage(
        flags,
        printer,
        (cursor) => `unreel videos ${account} --after ${cursor}`,
        async (after) => {
          const { videos } = await requestGraphQL({
            ...options,
            document: VideosDocument,
            variables: { account, first, ...(after === undefined ? {} : { after }) },
            retry: options.retry ?? {},
          });
          for (const { node } of videos.edges)
            printer.out(`${node.id} ${node.status} ${node.title ?? ''}`.trimEnd(), {
              type: 'video',
              id: node.id,
              account: node.account,
              provider: node.provider,
              nativeId: node.nativeId,
              title: node.title,
              status: node.status,
            });
          return videos.pageInfo;
        },
      );
    } catch (error) {
      throw fromClientError(error, url);
    }
    context.exitCode = EXIT.ok;
  });
}
