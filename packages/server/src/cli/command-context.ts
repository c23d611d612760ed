import type { Terminal } from './terminal.js';

/** What every command runs against: the process's streams (a test's in unit tests) and where it records its exit code. */
export interface CommandContext {
  terminal: Terminal;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Set by the command's action; the program exits with it once output is flushed. */
  exitCode: number;
  /** How an interrupted watch stops: process SIGINT by default. */
  onInterrupt: (stop: () => void) => () => void;
  /** Called before a client command (not `serve`) runs. */
  beforeClientCommand?: () => void;
}

/** Ctrl-C stops the first time; a second one falls through to Node's default and ends the process at once. */
export function onSigint(stop: () => void): () => void {
  process.once('SIGINT', stop);
  return () => process.removeListener('SIGINT', stop);
}
