import { existsSync } from 'node:fs';
import path from 'node:path';
import { PostgresOperationStore, databasePassword, describeDatabase } from '@unreel/cluster';
import { InMemoryOperationStore, SqliteOperationStore, type LearnedRateStore, type OperationStore } from '@unreel/core';
import type { JournalConfig } from '../config/config-schema.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import { JournalMarker } from './journal-marker.js';

/** Which journal a server runs on, for its start-up line; a database is named without its password. */
export type JournalDescription =
  | { driver: 'sqlite'; path: string }
  | {
      driver: 'postgres';
      database: string;
      /** Set with `cluster`: whether this replica claims work (`worker`) or only serves the API and streams. */
      cluster?: 'worker' | 'api';
    }
  | { driver: 'memory' };

export interface OpenedJournal {
  /** The operations, and each account's learned rate beside them. */
  store: OperationStore & LearnedRateStore;
  description: JournalDescription;
  /** Whether this start created the journal (a first start, or `--new-journal`). */
  created: boolean;
}

/**
 * The journal the config names: a SQLite file (relative to the config's folder), a PostgreSQL database, or memory for
 * throwaway runs. A SQLite journal that is missing where its marker says one was created is refused, unless
 * `newJournal` says to start an empty one; every failure is one line naming the file or `journal.url`.
 */
export async function openJournal(
  config: JournalConfig,
  baseDir: string,
  options: { newJournal?: boolean; secrets: SecretRegistry },
): Promise<OpenedJournal> {
  if (config.driver === 'memory') {
    return { store: new InMemoryOperationStore(), description: { driver: 'memory' }, created: true };
  }
  if (config.driver === 'postgres') return openPostgresJournal(config, options.secrets);
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

/** Connects and migrates now, so an unreachable database stops the start with one line, not a later failure. */
async function openPostgresJournal(
  config: Extract<JournalConfig, { driver: 'postgres' }>,
  secrets: SecretRegistry,
): Promise<OpenedJournal> {
  const password = databasePassword(config.url);
  if (password !== undefined) secrets.add(password);
  const database = describeDatabase(config.url);
  let store: PostgresOperationStore;
  try {
    store = await PostgresOperationStore.open({ url: config.url, poolSize: config.poolSize });
  } catch (error) {
    const reason = (error as { reason?: unknown }).reason;
    const detail = (error as { cause?: unknown }).cause ?? error;
    const text = `${typeof reason === 'string' ? `${reason}: ` : ''}${detail instanceof Error ? detail.message : String(detail)}`;
    // The bin prints this line as it is, past the logger's redaction: the password must not be in it.
    const safe = password === undefined ? text : text.replaceAll(password, '[redacted]');
    throw new Error(`Journal journal.url (${database}) cannot be opened: ${safe}`, { cause: error });
  }
  return { store, description: { driver: 'postgres', database }, created: store.created === true };
}
