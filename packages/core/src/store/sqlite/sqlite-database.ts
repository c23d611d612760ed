import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrate } from './sqlite-migrations.js';

/**
 * Opens the journal file (creating its folders) in WAL mode, with the settings every connection to it needs, and
 * brings its schema up to date.
 */
export function openSqliteDatabase(file: string, synchronous: 'normal' | 'full'): Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  // 16 MiB of pages (SQLite's default is 2): planning reads back pages the journal has just written, and batches
  // rewrite them; a cache that holds them saves fetching them again from the WAL.
  db.pragma('cache_size = -16384');
  migrate(db);
  return db;
}
