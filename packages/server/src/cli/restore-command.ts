import { Command } from 'commander';
import { requestGraphQL, RestoreVideoDocument, UnreelClientError } from '@unreel/client';
import type { CommandContext } from './command-context.js';
import { connectionFrom, withConnectionFlags, type ConnectionFlags } from './connection.js';
import { EXIT, fromClientError } from './exit-codes.js';
import { readIds } from './id-input.js';
import { Printer } from './terminal.js';

interface RestoreFlags extends ConnectionFlags {
  file?: string;
}

export function restoreCommand(context: CommandContext): Command {
  return withConnectionFlags(new Command('restore'))
    .summary('bring deleted videos back, on providers that delete softly')
    .description(
      'Restores each video in turn and prints a line per video. Ids come as arguments, from --file, or on standard ' +
        'input. Exits 1 when a video was not restored (not deleted, past its restore window, a provider without ' +
        'restore), 2 when the server refused an id.',
    )
    .argument('[ids...]', 'video ids, <account>:<provider id>')
    .option('--file <path>', 'read the ids from this file, one per line')
    .action(async (args: string[], flags: RestoreFlags) => {
      const ids = await readIds({ args, file: flags.file, stdin: context.stdin });
      const { url, options } = connectionFrom(flags);
      const printer = new Printer(context.terminal, flags.json === true);
      let exitCode: number = EXIT.ok;
      for (const videoId of ids) {
        try {
          const { restoreVideo: result } = await requestGraphQL({
            ...options,
            document: RestoreVideoDocument,
            variables: { id: videoId },
            // restoreVideo is idempotent: a video already restored answers NOT_DELETED, and is not restored twice.
            retry: options.retry ?? {},
          });
          const error = result.error ? { code: result.error.code, message: result.error.message } : null;
          printer.out(
            result.restored
              ? `${videoId} RESTORED`
              : `${videoId} NOT RESTORED ${error?.code ?? ''}: ${error?.message ?? ''}`,
            { type: 'restore', videoId, restored: result.restored, videoStatus: result.video?.status ?? null, error },
          );
          if (!result.restored) exitCode = Math.max(exitCode, EXIT.itemsFailed);
        } catch (error) {
          const failure = fromClientError(error, url);
          // The server's word on this id (an unknown account): the others may still be restored.
          if (failure.exitCode !== EXIT.usage) throw failure;
          const code = UnreelClientError.isInstance(error) ? (error.graphqlCode ?? error.code) : failure.code;
          printer.out(`${videoId} NOT RESTORED: ${failure.message}`, {
            type: 'restore',
            videoId,
            restored: false,
            videoStatus: null,
            error: { code, message: failure.message },
          });
          exitCode = EXIT.usage;
        }
      }
      context.exitCode = exitCode;
    });
}
