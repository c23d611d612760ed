import { Command, CommanderError } from 'commander';
import { cancelCommand } from './cancel-command.js';
import type { CommandContext } from './command-context.js';
import { deleteCommand } from './delete-command.js';
import { deletionsCommand } from './deletions-command.js';
import { CliError, EXIT } from './exit-codes.js';
import { errorLine } from './json-lines.js';
import { restoreCommand } from './restore-command.js';
import { videosCommand } from './videos-command.js';
import { watchCommand } from './watch-command.js';

/**
 * The `unreel` command: with no command (or `serve`) it starts the server, as it always has; the others talk to a
 * running server over GraphQL. Resolves with the exit code, or `serving` once the server runs (it stops on a signal);
 * nothing here calls process.exit, so whatever was written is flushed first.
 */
export async function runCli(
  argv: readonly string[],
  context: Omit<CommandContext, 'exitCode'>,
): Promise<number | 'serving'> {
  const state: CommandContext = { ...context, exitCode: EXIT.ok };
  let serving = false;
  const { stdout, stderr } = context.terminal;
  const program = new Command('unreel')
    .description(
      'Delete and restore videos across video-hosting providers. With no command, or `serve`, starts the server; the ' +
        'other commands talk to a running one over GraphQL (--url, --api-key).',
    )
    .configureOutput({ writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) })
    .exitOverride()
    .showHelpAfterError('(unreel <command> --help shows its options)');
  program
    .command('serve', { isDefault: true })
    .description('start the server (the default): PORT, UNREEL_CONFIG, LOG_LEVEL from the environment')
    // Only ever by hand: it makes a journal that vanished start over empty, forgetting what it held.
    .option('--new-journal', 'start an empty journal where one has vanished (see the README, Durable operations)')
    .action(async (flags: { newJournal?: boolean }) => {
      // Loaded only to serve: the client commands start without the server's schema and plugins.
      const { serve } = await import('./serve-command.js');
      await serve({ newJournal: flags.newJournal === true });
      serving = true;
    });
  for (const command of [
    deleteCommand(state),
    watchCommand(state),
    cancelCommand(state),
    restoreCommand(state),
    deletionsCommand(state),
    videosCommand(state),
  ]) {
    // Each subcommand reports its own usage errors through the program's output and exit override.
    program.addCommand(
      command
        .exitOverride()
        .configureOutput(program.configureOutput())
        .showHelpAfterError(`(unreel ${command.name()} --help shows its options)`),
    );
  }
  program.hook('preSubcommand', (_program, command) => {
    if (command.name() !== 'serve') context.beforeClientCommand?.();
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return serving ? 'serving' : state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully; commander has printed its message already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      if (argv.includes('--json')) stdout.write(`${JSON.stringify(errorLine(error.code, error.message))}\n`);
      stderr.write(`unreel: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
