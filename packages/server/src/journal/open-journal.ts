import path from 'node:path';
import { InMemoryOperationStore, SqliteOperationStore, type OperationStore } from '@unreel/core';
import type { JournalConfig } from '../config/config-schema.js';

/** The journal the config names: a SQLite file (relative to the config's folder), or memory for throwaway runs. */
export function openJournal(config: JournalConfig, baseDir: string): OperationStore {
  if (config.driver === 'memory') return new InMemoryOperationStore();
  return new SqliteOperationStore({ path: path.resolve(baseDir, config.path), synchronous: config.synchronous });
}
