import type { Command } from 'commander';
import { usageError } from './exit-codes.js';
import type { Printer } from './terminal.js';

export interface PageFlags {
  first?: string;
  after?: string;
  all?: boolean;
}

export function withPageFlags(command: Command, defaultFirst: number): Command {
  return command
    .option('--first <n>', `how many per page (the server allows 1 to 500)`, String(defaultFirst))
    .option('--after <cursor>', 'start after this cursor, as the previous page ended')
    .option('--all', 'follow every page to the end');
}

export function pageSize(flags: PageFlags): number {
  const first = Number(flags.first);
  if (!Number.isInteger(first) || first < 1)
    throw usageError(`--first must be a whole number >= 1, got ${JSON.stringify(flags.first)}`);
  return first;
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * Fetches pages from `after` and hands over each one, until the last, or after the first unless `--all`. Where more
 * remain, the last line says how to get them: a `page` object with `--json`, a note with the command otherwise.
 */
export async function eachPage(
  flags: PageFlags,
  printer: Printer,
  nextCommand: (cursor: string) => string,
  fetchPage: (after: string | undefined) => Promise<PageInfo>,
): Promise<void> {
  let after = flags.after;
  for (;;) {
    const info = await fetchPage(after);
    const more = info.hasNextPage && info.endCursor !== null;
    if (!more || !flags.all) {
      if (printer.json) printer.out('', { type: 'page', hasNextPage: info.hasNextPage, endCursor: info.endCursor });
      else if (more) printer.note(`more: ${nextCommand(info.endCursor as string)}`);
      return;
    }
    after = info.endCursor as string;
  }
}
