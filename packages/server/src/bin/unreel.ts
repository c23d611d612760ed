#!/usr/bin/env node
import { onSigint } from '../cli/command-context.js';
import { runCli } from '../cli/program.js';

runCli(process.argv.slice(2), {
  terminal: { stdout: process.stdout, stderr: process.stderr },
  stdin: process.stdin,
  onInterrupt: onSigint,
  beforeClientCommand: () =>
    // `unreel videos --all | head` closes the pipe early: the reader has what it wanted, which is no failure.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    }),
}).then(
  (code) => {
    if (code !== 'serving') exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`unreel: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(1);
  },
);

function exit(code: number): void {
  // Exit once stdout has taken everything written: process.exit would cut a piped stdout short.
  process.stdout.write('', () => process.exit(code));
}
