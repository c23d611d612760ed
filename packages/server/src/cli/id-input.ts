import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { parseVideoId } from '@unreel/core';
import { usageError } from './exit-codes.js';

/** Where `unreel delete` and `unreel restore` read video ids from. */
export interface IdSource {
  /** Ids given as arguments. */
  args: readonly string[];
  /** `--file <path>`: one id per line. */
  file?: string | undefined;
  /** Standard input, read one id per line when no ids and no file are given and it is not a terminal. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * The ids to act on, each checked with the server's own rules before anything is sent, so a typo is reported with the
 * line it is on rather than as a refused operation. Blank lines and `#` comments are skipped; repeats are kept once.
 * (The selection flags of a later round, `--account` and friends, are another source beside these, exclusive of ids.)
 */
export async function readIds(source: IdSource): Promise<string[]> {
  const given = [source.args.length > 0, source.file !== undefined].filter(Boolean).length;
  if (given > 1) throw usageError('give ids either as arguments or with --file, not both');
  let entries: { id: string; where: string }[];
  if (source.args.length > 0) {
    entries = source.args.map((id, index) => ({ id, where: `argument ${index + 1}` }));
  } else if (source.file !== undefined) {
    const { file } = source;
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      throw usageError(
        `--file ${JSON.stringify(file)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    entries = linesOf(content, file);
  } else if (source.stdin.isTTY) {
    throw usageError('no video ids: give them as arguments, with --file <path>, or on standard input, one per line');
  } else {
    entries = linesOf(await text(source.stdin), 'stdin');
  }
  if (entries.length === 0)
    throw usageError(
      `no video ids in ${source.file === undefined ? 'standard input' : JSON.stringify(source.file)}: one per line, "#" starts a comment`,
    );
  for (const { id, where } of entries) {
    try {
      parseVideoId(id);
    } catch (error) {
      throw usageError(`${where}: ${(error as Error).message}`);
    }
  }
  return [...new Set(entries.map((entry) => entry.id))];
}

function linesOf(content: string, name: string): { id: string; where: string }[] {
  const entries: { id: string; where: string }[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    const id = line.replace(/(^|\s)#.*$/, '').trim();
    if (id !== '') entries.push({ id, where: `${name} line ${index + 1}` });
  });
  return entries;
}
