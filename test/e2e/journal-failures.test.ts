import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  type DeletionProgressSubscription,
} from '@unreel/client';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';

/** One sandbox account whose provider writes every call to a file, and a journal at `journal.db` in a fresh folder. */
function setup(name: string, settings: Record<string, unknown> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), `unreel-${name}-`));
  const stateFile = path.join(dir, 'sandbox-state.jsonl');
  const configFile = path.join(dir, 'unreel.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      journal: { path: 'journal.db' },
      accounts: [
        {
          name: 'sb',
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 200, processingRatio: 0, forbiddenRatio: 0, stateFile, ...settings },
        },
      ],
    }),
  );
  const deletedIds = (): string[] =>
    readFileSync(stateFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { t: string; m?: string; ids?: string[] })
      .filter((record) => record.t === 'call' && record.m === 'delete')
      .flatMap((record) => record.ids ?? []);
  return {
    dir,
    journal: path.join(dir, 'journal.db'),
    deletedIds,
    start: (args: string[] = []) => startChildServer({ PORT: '0', UNREEL_CONFIG: configFile }, dir, args),
  };
}

async function stop(server: ChildServer): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL('/readyz', url));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const ids = Array.from({ length: 200 }, (_, index) => `sb:vid-${String(index + 1).padStart(6, '0')}`);

describe('a journal that cannot be written', () => {
  it('pauses the running operation, fails /readyz and refuses new deletions with JOURNAL_UNAVAILABLE, then resumes by itself', async () => {
    // Slow calls, ten ids each: the operation is still running when the journal is locked.
    const sandbox = setup('journal-locked', { latencyMs: [150, 150], batchSize: 10 });
    const server = sandbox.start();
    const lock = new BetterSqlite3(sandbox.journal);
    try {
      const { url } = await server.listening;
      const client = wsClient(url.replace(/^http/, 'ws'));
      const progress = collect<DeletionProgressSubscription, { operationId: string }>(
        client,
        DeletionProgressDocument,
        { operationId: 'paused' },
      );
      const accepted = (await data(url, DeleteVideosDocument, { input: { ids, operationId: 'paused', wait: false } }))
        .deleteVideos;
      expect(accepted.status).toBe('RUNNING');

      // Another connection takes the journal's write lock and keeps it: a real SQLITE_BUSY for every server write.
      lock.exec('BEGIN IMMEDIATE');
      const { pending } = lock.prepare("SELECT pending FROM operations WHERE id = 'paused'").get() as {
        pending: number;
      };
      expect(pending).toBeGreaterThan(0);

      await vi.waitFor(async () => expect((await readyz(url)).status).toBe(503), { timeout: 10_000, interval: 20 });
      expect((await readyz(url)).body).toMatchObject({
        status: 'journal-unavailable',
        reason: 'another connection holds the journal locked',
      });
      const refused = await post(url, DeleteVideosDocument, { input: { ids: ['sb:vid-000199'] } });
      expect(refused.errors?.[0]).toMatchObject({
        message: expect.stringContaining('retry later'),
        extensions: { code: 'JOURNAL_UNAVAILABLE', retryable: true },
      });
      // Reads go on, and a caller waiting for the paused operation (a retry with its operationId) is answered once it
      // has finished.
      expect((await data(url, DeletionDocument, { id: 'paused' })).deletion?.status).toBe('RUNNING');
      const waiting = data(url, DeleteVideosDocument, { input: { ids, operationId: 'paused', wait: true } });

      lock.exec('ROLLBACK');
      expect((await waiting).deleteVideos).toMatchObject({ status: 'SUCCEEDED', deleted: 200, pending: 0 });
      expect(await readyz(url)).toEqual({ status: 200, body: { status: 'ready' } });
      await progress.done;
      const sequences = progress.results.map((result) => result.data?.deletionProgress.sequence);
      expect(sequences).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
      // Each video was sent once: no call was made whose attempt the journal had not taken, and none was forgotten.
      expect(sandbox.deletedIds().toSorted()).toEqual(ids.map((id) => id.slice('sb:'.length)));
      const logged = server.stdout().map((line) => JSON.parse(line) as { msg: string; journal?: string });
      expect(logged).toContainEqual(
        expect.objectContaining({
          msg: expect.stringContaining('journal cannot be written'),
          journal: sandbox.journal,
        }),
      );
      await client.dispose();
    } finally {
      if (lock.inTransaction) lock.exec('ROLLBACK');
      lock.close();
      await stop(server);
    }
  }, 60_000);
});

describe('the journal at start', () => {
  it('names its file in the start-up line, and refuses to start on a journal that vanished unless told to begin anew', async () => {
    const sandbox = setup('journal-marker');
    const first = sandbox.start();
    expect((await first.listening).msg).toContain(`journal ${sandbox.journal}`);
    await stop(first);
    expect(existsSync(`${sandbox.journal}.marker`)).toBe(true);

    for (const suffix of ['', '-wal', '-shm']) rmSync(`${sandbox.journal}${suffix}`, { force: true });
    const refused = sandbox.start();
    expect(await refused.exited).toBe(1);
    const lines = refused.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Journal ${sandbox.journal} is missing, but ${sandbox.journal}.marker says`);
    expect(lines[0]).toContain('--new-journal');
    expect(existsSync(sandbox.journal)).toBe(false);

    const anew = sandbox.start(['--new-journal']);
    try {
      await anew.listening;
      expect(existsSync(sandbox.journal)).toBe(true);
      expect(anew.stdout().map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain('journal created');
    } finally {
      await stop(anew);
    }
  }, 60_000);

  it('stops with one line naming the file when the journal is not a database', async () => {
    const sandbox = setup('journal-garbage');
    writeFileSync(sandbox.journal, 'not the bytes of an SQLite database, '.repeat(200));
    const server = sandbox.start();
    expect(await server.exited).toBe(1);
    expect(server.stderr().trim().split('\n')).toEqual([
      `unreel failed to start: Journal ${sandbox.journal}: the journal file is not an SQLite database (file is not a database)`,
    ]);
  }, 30_000);
});
