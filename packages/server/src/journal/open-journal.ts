import { existsSync } from 'node:fs';
import path from 'node:path';
import { InMemoryOperationStore, SqliteOperationStore, type LearnedRateStore, type OperationStore } from '@unreel/core';
import type { JournalConfig } from '../config/config-schema.js';
import { JournalMarker } from './journal-marker.js';

/** Which journal a server runs on, for its start-up line. */
export type JournalDescription = { driver: 'sqlite'; path: string } | { driver: 'memory' };

export interface OpenedJournal {
  /** The operations, and each account's learned rate beside them. */
  store: OperationStore & LearnedRateStore;
  description: JournalDescription;
  /** Whether this start created the journal file (a first start, or `--new-journal`). */
  created: boolean;
}

/**
 * The journal the config names: a SQLite file (relative to the config's folder), or memory for throwaway runs. A
 * SQLite journal that is missing where its marker says one was created is refused, unless `newJournal` says to start
 * an empty one; every failure is one line naming the file.
 */
export function openJournal(
  config: JournalConfig,
  baseDir: string,
  options: { newJournal?: boolean } = {},
): OpenedJournal {
  if (config.driver === 'memory') {
    return { store: new InMemoryOperationStore(), description: { driver: 'memory' }, created: true };
  }
  const file = path.resolve(baseDir, config.path);
  const marker = new JournalMarker(file);
  const created = !existsSync(file);
  const createdBefore = marker.createdAt();
  if (created && createdBefore !== undefined && options.newJournal !== true) {
    throw new Error(
      `Journal ${file} is missing, but ${marker.file} says it was created on ${createdBefore}: starting without it ` +
        'would lose its open operations and idempotency keys. Restore the file, or start with --new-journal to begin an empty journal.',
    );
  }
  const store = new SqliteOperationStore({ path: file, synchronous: config.synchronous });
  if (created || createdBefore === undefined) {
    try {
      marker.write(new Date());
    } catch (error) {
      void store.close();
      throw new Error(
        `Journal ${file}: its marker ${marker.file} cannot be written (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
  }
  return { store, description: { driver: 'sqlite', path: file }, created };
}
