import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { journalOpenError } from './sqlite-journal-errors.js';
import { migrate } from './sqlite-migrations.js';

/**
 * How long a statement waits for another connection's lock (better-sqlite3's default is 5 s). Calls are synchronous,
 * so the wait stops the whole process: a short one absorbs a reader's checkpoint; a longer hold (another process
 * writing) fails the write as "journal unavailable", and the engine waits for it off the event loop.
 */
const BUSY_TIMEOUT_MS = 100;

export interface SqliteDatabaseSettings {
  synchronous: 'normal' | 'full';
  /** A cap on the file's size, in bytes: beyond it, writes fail as on a full disk. */
  maxSizeBytes?: number | undefined;
}

/**
 * Opens the journal file (creating its folders) in WAL mode, with the settings every connection to it needs, brings
 * its schema up to date and makes sure it can be written. Any failure is one error that names the file.
 */
export function openSqliteDatabase(file: string, settings: SqliteDatabaseSettings): Database {
  let db: Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${settings.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    // 16 MiB of pages (SQLite's default is 2): planning reads back pages the journal has just written, and batches
    // rewrite them; a cache that holds them saves fetching them again from the WAL.
    db.pragma('cache_size = -16384');
    if (settings.maxSizeBytes !== undefined) {
      const pageSize = Number(db.pragma('page_size', { simple: true }));
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(settings.maxSizeBytes / pageSize))}`);
    }
    migrate(db);
    assertWritable(db);
    return db;
  } catch (error) {
    db?.close();
    throw journalOpenError(error, file);
  }
}

/**
 * SQLite opens a file it may not write read-only without a word, and such a connection never becomes writable: every
 * operation would be accepted by nothing. A write rolled back at once finds out.
 */
function assertWritable(db: Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  try {
    db.exec('BEGIN IMMEDIATE');
    db.pragma(`user_version = ${version}`);
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
}
