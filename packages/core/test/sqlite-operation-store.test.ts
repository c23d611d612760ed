import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteOperationStore, operationKey } from '../src/index.js';
import { drain, harness } from './engine-harness.js';
import { describeOperationStore } from './operation-store-suite.js';

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'unreel-journal-')), 'nested', 'journal.db');

describeOperationStore('sqlite (file)', () => new SqliteOperationStore({ path: tempFile() }));

describe('SqliteOperationStore', () => {
  it('keeps everything across a reopen and records its schema version', async () => {
    const file = tempFile();
    const first = new SqliteOperationStore({ path: file });
    await first.createOperation({ id: 'op', tenant: 't', fingerprint: 'f', createdAt: new Date(0), items: [{ videoId: 'a:1', account: 'a', nativeId: '1', status: 'PENDING' }] });
    await first.markAttempt(operationKey('t', 'op'), ['a:1']);
    await first.close();
    const second = new SqliteOperationStore({ path: file });
    expect((await second.listUnfinishedOperations()).map((operation) => operation.id)).toEqual(['op']);
    expect((await second.listOpenItems(operationKey('t', 'op'), 'a', { first: 1 }))[0]).toMatchObject({ attempts: 1, ambiguous: true });
    await second.close();
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(2);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect(statSync(file).size).toBeGreaterThan(0);
  });

  it('refuses a journal written by a newer version instead of guessing', () => {
    const file = tempFile();
    new SqliteOperationStore({ path: file }).close();
    const raw = new BetterSqlite3(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => new SqliteOperationStore({ path: file })).toThrow(/newer unreel/);
  });

  it('lets a held deletion be undone after a restart, and runs the rest when due', async () => {
    const file = tempFile();
    const first = harness({ store: new SqliteOperationStore({ path: file }), deleteDelayMs: 400 });
    await first.engine.submit({ tenant: 'default', ids: ['acc:a', 'acc:b'], operationId: 'held' });
    await first.engine.close();
    await first.store.close();

    const second = harness({ store: new SqliteOperationStore({ path: file }), deleteDelayMs: 400 });
    expect(await second.engine.resume()).toBe(1);
    expect((await second.engine.restoreVideo('default', 'acc:a')).restored).toBe(true);
    const events = await drain(second.engine.progress('default', 'held'));
    expect(events.map((event) => [event.item.videoId, event.item.status])).toEqual([
      ['acc:a', 'RESTORED'],
      ['acc:b', 'DELETED'],
    ]);
    expect(second.provider.calls.map((call) => call.ids)).toEqual([['b']]);
    await second.engine.close();
  });
});
