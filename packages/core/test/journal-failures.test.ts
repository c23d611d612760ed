import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteOperationStore, operationKey, type EngineLogger } from '../src/index.js';
import { fingerprintIds } from '../src/engine/fingerprint.js';
import { drain, harness, ids } from './engine-harness.js';
import { newOperation } from './operation-store-suite.js';

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'unreel-journal-')), 'journal.db');

/** Quick retries: the tests wait for the engine's state, never for a time, so only the test's length depends on it. */
const quickRetries = { journalRetryInitialMs: 1, journalRetryMaxMs: 4 };

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const handle of opened.splice(0).reverse()) await handle.close();
});

function lines(): EngineLogger & { messages: string[]; fields: Record<string, unknown>[] } {
  const messages: string[] = [];
  const fields: Record<string, unknown>[] = [];
  const log = (message: string, extra: Record<string, unknown> = {}): void => {
    messages.push(message);
    fields.push(extra);
  };
  return { messages, fields, debug: log, info: log, warn: log, error: log };
}

describe('a journal that cannot be written', () => {
  it('pauses the operation when the journal is full, refuses new work, and resumes once a purge frees room', async () => {
    const file = tempFile();
    // Journaled before the cap: a finished operation that a purge may drop, and one that has yet to run.
    const setup = new SqliteOperationStore({ path: file });
    await setup.createOperation(newOperation('old', ids(400, 'old'), 'default', new Date(0)));
    await setup.recordUpdates(
      operationKey('default', 'old'),
      ids(400, 'old').map((_, position) => ({ position, status: 'DELETED', at: new Date(0) })),
    );
    await setup.createOperation({
      ...newOperation('new', ids(200, 'new'), 'default', new Date(0)),
      fingerprint: fingerprintIds(ids(200, 'new')),
    });
    await setup.close();
    const raw = new BetterSqlite3(file);
    raw.exec('VACUUM');
    const size = Number(raw.pragma('page_count', { simple: true })) * Number(raw.pragma('page_size', { simple: true }));
    raw.close();

    // Capped at what it holds now: the first event the engine journals needs a page more, a real SQLITE_FULL.
    const store = new SqliteOperationStore({ path: file, maxSizeBytes: size });
    const logger = lines();
    // One call at a time, so at most two batches are under way (one sent, one marked and queued) when the disk fills.
    const { engine, provider } = harness({ store, logger, limits: { concurrency: 1 }, engineOptions: quickRetries });
    opened.push(store, engine);
    const progress = drain(engine.progress('default', 'new'));
    expect(await engine.resume()).toBe(1);

    await vi.waitFor(() => expect(engine.journalStatus()).toMatchObject({ writable: false, failures: atLeast(3) }), {
      timeout: 10_000,
    });
    const status = engine.journalStatus();
    expect(status).toMatchObject({ writable: false, journal: file, reason: 'the disk or the journal is full' });
    expect(logger.fields).toContainEqual(expect.objectContaining({ journal: file }));
    const callsWhenDown = provider.calls.length;
    const journaledWhenDown = (await engine.getOperation('default', 'new'))?.lastSequence ?? 0;
    // The batches whose outcome the journal took before it filled, and at most two more: the one whose outcome is kept
    // waiting and the one marked and queued behind it. No call starts while its attempt cannot be journaled.
    expect(callsWhenDown).toBeLessThanOrEqual(journaledWhenDown / 10 + 2);
    await vi.waitFor(() => expect(engine.journalStatus()).toMatchObject({ failures: atLeast(20) }), {
      timeout: 10_000,
    });
    expect(provider.calls.length).toBe(callsWhenDown);

    // New work is refused with a code a client can act on; what is journaled can still be read, and a retry of the
    // waiting operation is answered from the journal.
    await expect(engine.submit({ tenant: 'default', ids: ['acc:other'] })).rejects.toMatchObject({
      code: 'JOURNAL_UNAVAILABLE',
      retryable: true,
    });
    await expect(engine.restoreVideo('default', 'acc:old1')).rejects.toMatchObject({ code: 'JOURNAL_UNAVAILABLE' });
    expect(await engine.getOperation('default', 'new')).toMatchObject({
      status: 'RUNNING',
      pending: 200 - journaledWhenDown,
    });
    expect(await engine.submit({ tenant: 'default', ids: ids(200, 'new'), operationId: 'new' })).toMatchObject({
      created: false,
      operation: { status: 'RUNNING' },
    });

    // Room is freed without a restart: the paused operation goes on by itself, and nothing it did is lost or repeated.
    expect(await store.purgeFinishedBefore(new Date(1))).toBe(1);
    const finished = await engine.waitForOperation('default', 'new', 60_000);
    expect(finished).toMatchObject({ status: 'SUCCEEDED', deleted: 200, pending: 0 });
    expect(engine.journalStatus()).toEqual({ writable: true });
    const events = await progress;
    expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    const called = provider.calls.flatMap((call) => call.ids);
    expect(called.toSorted()).toEqual(
      ids(200, 'new')
        .map((id) => id.slice('acc:'.length))
        .toSorted(),
    );
    expect(logger.messages).toContain('journal can be written again: waiting work resumes');
  });

  it('refuses a submission while another connection holds the journal locked, and takes them again once it is free', async () => {
    const file = tempFile();
    const store = new SqliteOperationStore({ path: file });
    const { engine } = harness({ store, engineOptions: quickRetries });
    opened.push(store, engine);
    const other = new BetterSqlite3(file);
    opened.push(other);
    other.exec('BEGIN IMMEDIATE');

    const refused = engine.submit({ tenant: 'default', ids: ['acc:a'], operationId: 'op' });
    await expect(refused).rejects.toMatchObject({
      code: 'JOURNAL_UNAVAILABLE',
      retryable: true,
      journal: file,
      reason: 'another connection holds the journal locked',
    });
    await expect(refused).rejects.toThrow(/retry later/);
    expect(engine.journalStatus()).toMatchObject({ writable: false });
    // Nothing was journaled, and the tenant's running-operation slot was given back.
    expect(await engine.getOperation('default', 'op')).toBeNull();
    expect(engine.runningOperations().size).toBe(0);

    // With no work waiting, a write that changes nothing tells the engine when the journal is back.
    other.exec('ROLLBACK');
    await vi.waitFor(() => expect(engine.journalStatus()).toEqual({ writable: true }), { timeout: 10_000 });
    await engine.submit({ tenant: 'default', ids: ['acc:a'], operationId: 'op' });
    expect(await engine.waitForOperation('default', 'op', 60_000)).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('a journal that cannot be opened', () => {
  it('says which file and why when it is not a database', () => {
    const file = tempFile();
    writeFileSync(file, 'these are not the bytes of an SQLite database, '.repeat(100));
    expect(() => new SqliteOperationStore({ path: file })).toThrow(
      `Journal ${file}: the journal file is not an SQLite database (file is not a database)`,
    );
  });

  it('says which file and why when its schema is damaged', async () => {
    const file = tempFile();
    await new SqliteOperationStore({ path: file }).close();
    const raw = new BetterSqlite3(file);
    const pageSize = Number(raw.pragma('page_size', { simple: true }));
    raw.close();
    // Page 1 past its 100-byte header holds the schema table: overwrite it, as a bad disk or a stray write would.
    const handle = openSync(file, 'r+');
    writeSync(handle, Buffer.alloc(pageSize - 200, 0x5a), 0, pageSize - 200, 100);
    closeSync(handle);
    expect(() => new SqliteOperationStore({ path: file })).toThrow(
      new RegExp(`^Journal ${escape(file)}: the journal file is damaged \\(.+\\)$`),
    );
  });

  it('says which file and why when it cannot be opened at all', () => {
    const file = tempFile();
    mkdirSync(file);
    expect(() => new SqliteOperationStore({ path: file })).toThrow(
      `Journal ${file}: the journal file cannot be opened (unable to open database file)`,
    );
  });
});

function atLeast(minimum: number): unknown {
  return expect.toSatisfy((count: number) => count >= minimum);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
