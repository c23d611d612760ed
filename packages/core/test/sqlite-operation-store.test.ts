import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteOperationStore, operationKey } from '../src/index.js';
import { SqliteCheckpointer } from '../src/store/sqlite/sqlite-checkpointer.js';
import { drain, harness } from './engine-harness.js';
import { describeOperationStore, newOperation } from './operation-store-suite.js';

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'unreel-journal-')), 'nested', 'journal.db');

afterEach(() => {
  vi.useRealTimers();
});

describeOperationStore('sqlite (file)', () => new SqliteOperationStore({ path: tempFile() }));

describe('SqliteOperationStore', () => {
  it('keeps learned rates across a reopen', async () => {
    const file = tempFile();
    const learnedAt = new Date(Date.UTC(2026, 0, 1));
    const first = new SqliteOperationStore({ path: file });
    await first.saveLearnedRate({ account: 'vod', requestsPerSecond: 5, configuredRequestsPerSecond: 30, learnedAt });
    await first.close();
    const second = new SqliteOperationStore({ path: file });
    expect(await second.listLearnedRates()).toEqual([
      { account: 'vod', requestsPerSecond: 5, configuredRequestsPerSecond: 30, learnedAt },
    ]);
    await second.close();
  });

  it('keeps everything across a reopen and records its schema version', async () => {
    const file = tempFile();
    const first = new SqliteOperationStore({ path: file });
    await first.createOperation({
      id: 'op',
      tenant: 't',
      fingerprint: 'f',
      createdAt: new Date(0),
      items: [{ videoId: 'a:1', account: 'a', nativeId: '1', status: 'PENDING' }],
    });
    await first.markAttempt(operationKey('t', 'op'), [0]);
    await first.close();
    const second = new SqliteOperationStore({ path: file });
    expect((await second.listUnfinishedOperations()).map((operation) => operation.id)).toEqual(['op']);
    expect((await second.listOpenItems(operationKey('t', 'op'), 'a', { first: 1 }))[0]).toMatchObject({
      attempts: 1,
      ambiguous: true,
    });
    await second.close();
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(7);
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
    // The engines' clock, moved by the test: it alone decides whether a held deletion is due, so no real time passes.
    const hour = 3_600_000;
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const start = () =>
      harness({ store: new SqliteOperationStore({ path: file }), deleteDelayMs: hour, now: () => new Date(now) });
    const first = start();
    await first.engine.submit({ tenant: 'default', ids: ['acc:a', 'acc:b'], operationId: 'held' });
    await first.engine.close();
    await first.store.close();

    now += 60_000;
    const second = start();
    expect(await second.engine.resume()).toBe(1);
    expect((await second.engine.restoreVideo('default', 'acc:a')).restored).toBe(true);
    await second.engine.close();
    await second.store.close();
    expect(second.provider.calls).toEqual([]);

    now += hour;
    const third = start();
    expect(await third.engine.resume()).toBe(1);
    const events = await drain(third.engine.progress('default', 'held'));
    expect(events.map((event) => [event.item.videoId, event.item.status])).toEqual([
      ['acc:a', 'RESTORED'],
      ['acc:b', 'DELETED'],
    ]);
    expect(third.provider.calls.map((call) => call.ids)).toEqual([['b']]);
    await third.engine.close();
    await third.store.close();
  });

  it('upgrades a journal written with the first schema, keeping what it says', async () => {
    const file = tempFile();
    new SqliteOperationStore({ path: file }).close();
    // Start over from a first-schema journal: what an earlier unreel left on disk.
    const raw = new BetterSqlite3(`${file}.v1`);
    raw.exec(readFileSync(new URL('./fixtures/journal-v1.sql', import.meta.url), 'utf8'));
    raw.close();
    const store = new SqliteOperationStore({ path: `${file}.v1` });
    const key = operationKey('default', 'old-op');
    expect(
      (await store.listUnfinishedOperations()).map((operation) => [
        operation.id,
        operation.pending,
        operation.lastSequence,
      ]),
    ).toEqual([['old-op', 2, 1]]);
    expect(
      (await store.listOpenItems(key, 'sb', { first: 10 })).map((item) => [
        item.videoId,
        item.account,
        item.nativeId,
        item.attempts,
        item.ambiguous,
      ]),
    ).toEqual([
      ['sb:vid-2', 'sb', 'vid-2', 1, true],
      ['sb:x:y', 'sb', 'x:y', 0, false],
    ]);
    expect(
      (await store.listEvents(key, 0, 10)).map((event) => [
        event.sequence,
        event.item.videoId,
        event.item.nativeId,
        event.item.status,
      ]),
    ).toEqual([[1, 'sb:vid-1', 'vid-1', 'DELETED']]);
    expect((await store.latestItems('default', ['sb:x:y'])).get('sb:x:y')).toMatchObject({
      account: 'sb',
      nativeId: 'x:y',
      operationId: 'old-op',
    });
    const next = await store.recordUpdates(key, [
      { position: 1, status: 'DELETED', at: new Date(1) },
      { position: 2, status: 'NOT_FOUND', at: new Date(1) },
    ]);
    expect(next.map((event) => [event.sequence, event.item.videoId, event.status])).toEqual([
      [2, 'sb:vid-2', 'RUNNING'],
      [3, 'sb:x:y', 'SUCCEEDED'],
    ]);
    // Journaled before whenBlocked existed: each account's default, and no item waiting for its provider.
    expect((await store.getOperation(key))?.whenBlocked).toBeNull();
    // Journaled before delete by selection existed: an operation of ids, with no discovery.
    expect((await store.getOperation(key))?.selection).toBeNull();
    expect((await store.latestItems('default', ['sb:vid-2'])).get('sb:vid-2')?.nextAttemptAt).toBeNull();
    await store.close();
    const upgraded = new BetterSqlite3(`${file}.v1`, { readonly: true });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(7);
    expect((upgraded.pragma('table_info(items)') as { name: string }[]).map((column) => column.name)).not.toContain(
      'account',
    );
    expect(
      (
        upgraded.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items'`).all() as {
          name: string;
        }[]
      ).map((row) => row.name),
    ).toEqual(['items_latest']);
    // `deletions` pages through a tenant's operations by index, with or without a status.
    expect(
      (
        upgraded
          .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'operations_by_tenant%'`)
          .all() as { name: string }[]
      ).map((row) => row.name),
    ).toEqual(['operations_by_tenant', 'operations_by_tenant_status']);
    upgraded.close();
  });

  it('refuses video ids that are not "<account>:<native id>", naming the first', async () => {
    const store = new SqliteOperationStore({ path: tempFile() });
    const bad = newOperation('bad', ['a:1'], 't');
    bad.items = [...bad.items, { videoId: 'b:2', account: 'a', nativeId: '2', status: 'PENDING' }];
    await expect(store.createOperation(bad)).rejects.toThrow(
      'Video id "b:2" is not "<account>:<native id>" for account "a"',
    );
    expect(await store.getOperation(operationKey('t', 'bad'))).toBeNull();
    await store.close();
  });

  it('settles a write only once another connection can read it', async () => {
    const file = tempFile();
    const store = new SqliteOperationStore({ path: file });
    const key = operationKey('t', 'op');
    await store.createOperation(newOperation('op', ['a:1', 'a:2'], 't'));
    const reader = new BetterSqlite3(file, { readonly: true });
    const count = reader.prepare('SELECT count(*) AS n FROM events');
    const written = store.recordUpdates(key, [{ position: 0, status: 'DELETED', at: new Date(1) }]);
    expect((count.get() as { n: number }).n).toBe(0);
    await written;
    expect((count.get() as { n: number }).n).toBe(1);
    reader.close();
    await store.close();
  });

  it('folds the WAL into the database file once the journal has been quiet for a second', async () => {
    const file = tempFile();
    new SqliteOperationStore({ path: file }).close();
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    vi.useFakeTimers();
    const checkpointer = new SqliteCheckpointer(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    db.exec(
      `INSERT INTO operations (key, tenant, id, status, fingerprint, accounts, total, pending, created_at) VALUES ('k', 't', 'i', 'RUNNING', 'f', '[]', 0, 0, 0)`,
    );
    checkpointer.committed();
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    vi.advanceTimersByTime(900);
    checkpointer.committed();
    vi.advanceTimersByTime(900);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    vi.advanceTimersByTime(200);
    expect(statSync(`${file}-wal`).size).toBe(0);
    checkpointer.stop();
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
