import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  type DeletionProgressSubscription,
} from '@unreel/client';
import { SqliteOperationStore, operationKey, type ItemRecord } from '@unreel/core';
import { startChildServer } from '../support/child-server.js';
import { data } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { listVideoIds } from '../support/test-server.js';

const VIDEOS = 2_000;

type Progress = DeletionProgressSubscription['deletionProgress'];

/** The sandbox's own record of what reached it, one JSON object a line (its stateFile). */
function sandboxRecords(stateFile: string): { t: string; m?: string; ids?: string[]; id?: string }[] {
  return readFileSync(stateFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { t: string; m?: string; ids?: string[]; id?: string });
}

/**
 * The journal exactly as the killed process left it, read from a copy so that the next process still finds the
 * files (WAL included) untouched.
 */
async function journalAtKill(dir: string): Promise<{ items: ItemRecord[]; lastSequence: number }> {
  const copy = path.join(dir, 'at-kill');
  mkdirSync(copy);
  for (const suffix of ['', '-wal']) {
    if (existsSync(path.join(dir, `journal.db${suffix}`)))
      copyFileSync(path.join(dir, `journal.db${suffix}`), path.join(copy, `journal.db${suffix}`));
  }
  const store = new SqliteOperationStore({ path: path.join(copy, 'journal.db') });
  try {
    const [operation] = await store.listUnfinishedOperations();
    if (!operation) throw new Error('the journal holds no unfinished operation at the kill');
    const key = operationKey(operation.tenant, operation.id);
    const items: ItemRecord[] = [];
    for (;;) {
      const page = await store.listItems(key, {
        first: 500,
        ...(items.length > 0 ? { after: (items.at(-1) as ItemRecord).position } : {}),
      });
      items.push(...page.items);
      if (!page.hasNextPage) break;
    }
    return { items, lastSequence: operation.lastSequence };
  } finally {
    await store.close();
  }
}

describe('crash recovery', () => {
  it('finishes every item exactly once after a SIGKILL part-way, on the same journal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-crash-'));
    const configFile = path.join(dir, 'unreel.config.json');
    const stateFile = path.join(dir, 'sandbox-state.jsonl');
    writeFileSync(
      configFile,
      JSON.stringify({
        journal: { driver: 'sqlite', path: 'journal.db' },
        accounts: [
          {
            name: 'sb',
            plugin: '@unreel/plugin-sandbox',
            // Slowed down so the kill lands mid-operation, and slow to answer after acting, so that it lands while
            // deletions have happened that the journal cannot know of; persisted so the provider remembers them
            // across processes.
            settings: {
              videoCount: VIDEOS,
              latencyMs: [5, 15],
              replyDelayMs: [30, 60],
              processingRatio: 0,
              forbiddenRatio: 0,
              stateFile,
            },
            limits: { concurrency: 2 },
          },
        ],
      }),
    );
    const env = { PORT: '0', UNREEL_CONFIG: configFile };

    const first = startChildServer(env, dir);
    const firstUrl = (await first.listening).url;
    const ids = await listVideoIds(firstUrl, 'sb', VIDEOS);
    expect(ids).toHaveLength(VIDEOS);
    // A client following the operation live on the first process: what it saw must still hold after the crash.
    const watcher = wsClient(firstUrl.replace(/^http/, 'ws'));
    const live = collect(watcher, DeletionProgressDocument, { operationId: 'crash-1', after: 0 });
    live.done.catch(() => undefined); // the kill cuts it off
    await data(firstUrl, DeleteVideosDocument, { input: { ids, operationId: 'crash-1', wait: false } });
    let progress = 0;
    while (progress < 300) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      progress = (await data(firstUrl, DeletionDocument, { id: 'crash-1', first: 1 })).deletion?.deleted ?? 0;
    }
    first.child.kill('SIGKILL');
    await first.exited;
    await watcher.dispose();
    const atKill = readFileSync(stateFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"m":"delete"')).length;
    expect(atKill).toBeLessThan(VIDEOS / 25);

    // What the dead process left: every outcome it recorded matches the provider, and some deletions had taken
    // effect at the provider while their items were still open (attempted, outcome unknown) in the journal.
    const deletedAtKill = new Set(
      sandboxRecords(stateFile)
        .filter((record) => record.t === 'deleted')
        .map((record) => `sb:${record.id}`),
    );
    const journal = await journalAtKill(dir);
    expect(journal.items).toHaveLength(VIDEOS);
    const recorded = journal.items.filter((item) => item.status !== 'PENDING');
    expect(recorded.length).toBe(journal.lastSequence);
    expect(recorded.every((item) => item.status === 'DELETED' && deletedAtKill.has(item.videoId))).toBe(true);
    const unseen = journal.items.filter(
      (item) => item.status === 'PENDING' && item.ambiguous && item.attempts === 1 && deletedAtKill.has(item.videoId),
    );
    expect(unseen.length).toBeGreaterThan(0);
    const seenLive = live.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
    expect(seenLive.map((event) => event.sequence)).toEqual(seenLive.map((_, index) => index + 1));
    expect(seenLive.length).toBeLessThanOrEqual(journal.lastSequence);

    const second = startChildServer(env, dir);
    const secondUrl = (await second.listening).url;
    try {
      const client = wsClient(secondUrl.replace(/^http/, 'ws'));
      const stream = collect(client, DeletionProgressDocument, { operationId: 'crash-1', after: 0 });
      await stream.done;
      // A client that reconnects with the last sequence it saw gets exactly the rest.
      const resumed = collect(client, DeletionProgressDocument, { operationId: 'crash-1', after: seenLive.length });
      await resumed.done;
      await client.dispose();
      const events = stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
      expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: VIDEOS }, (_, index) => index + 1));
      const finals = new Map<string, number>();
      for (const event of events) finals.set(event.item.videoId, (finals.get(event.item.videoId) ?? 0) + 1);
      expect(finals.size).toBe(VIDEOS);
      expect([...finals.values()].every((count) => count === 1)).toBe(true);
      expect(events.every((event) => event.item.status === 'DELETED')).toBe(true);
      const summary = (event: Progress) => [
        event.sequence,
        event.item.videoId,
        event.item.status,
        event.item.attempts,
        event.completed,
      ];
      expect(events.slice(0, seenLive.length).map(summary)).toEqual(seenLive.map(summary));
      expect(
        resumed.results.map((result) => summary((result.data as DeletionProgressSubscription).deletionProgress)),
      ).toEqual(events.slice(seenLive.length).map(summary));

      // Tried again, found gone: our own lost attempt deleted them, so DELETED, never NOT_FOUND.
      const byVideo = new Map(events.map((event) => [event.item.videoId, event]));
      for (const item of unseen)
        expect(byVideo.get(item.videoId)?.item).toMatchObject({ status: 'DELETED', attempts: 2 });

      const result = (await data(secondUrl, DeletionDocument, { id: 'crash-1', first: 1 })).deletion;
      expect(result).toMatchObject({
        pending: 0,
        total: VIDEOS,
        deleted: VIDEOS,
        notFound: 0,
        failed: 0,
        status: 'SUCCEEDED',
      });

      // What reached the provider: every video at most twice (once before the kill, once on resume).
      const deliveries = new Map<string, number>();
      for (const line of readFileSync(stateFile, 'utf8').split('\n')) {
        if (!line.includes('"m":"delete"')) continue;
        for (const id of (JSON.parse(line) as { ids: string[] }).ids) deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      }
      expect(deliveries.size).toBe(VIDEOS);
      expect(Math.max(...deliveries.values())).toBeLessThanOrEqual(2);
      for (const item of unseen) expect(deliveries.get(item.nativeId)).toBe(2);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);
});
