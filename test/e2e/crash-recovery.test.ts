import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeleteVideosDocument, DeletionDocument, DeletionProgressDocument, type DeletionProgressSubscription } from '@unreel/client';
import { startChildServer } from '../support/child-server.js';
import { data } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { listVideoIds } from '../support/test-server.js';

const VIDEOS = 2_000;

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
            // Slowed down so the kill lands mid-operation; persisted so the provider remembers across processes.
            settings: { videoCount: VIDEOS, latencyMs: [30, 60], processingRatio: 0, forbiddenRatio: 0, stateFile },
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
    await data(firstUrl, DeleteVideosDocument, { input: { ids, operationId: 'crash-1', wait: false } });
    let progress = 0;
    while (progress < 300) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      progress = (await data(firstUrl, DeletionDocument, { id: 'crash-1', first: 1 })).deletion?.deleted ?? 0;
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = readFileSync(stateFile, 'utf8').split('\n').filter((line) => line.includes('"m":"delete"')).length;
    expect(atKill).toBeLessThan(VIDEOS / 25);

    const second = startChildServer(env, dir);
    const secondUrl = (await second.listening).url;
    try {
      const client = wsClient(secondUrl.replace(/^http/, 'ws'));
      const stream = collect(client, DeletionProgressDocument, { operationId: 'crash-1', after: 0 });
      await stream.done;
      await client.dispose();
      const events = stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
      expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: VIDEOS }, (_, index) => index + 1));
      const finals = new Map<string, number>();
      for (const event of events) finals.set(event.item.videoId, (finals.get(event.item.videoId) ?? 0) + 1);
      expect(finals.size).toBe(VIDEOS);
      expect([...finals.values()].every((count) => count === 1)).toBe(true);
      expect(events.every((event) => event.item.status === 'DELETED')).toBe(true);

      const result = (await data(secondUrl, DeletionDocument, { id: 'crash-1', first: 1 })).deletion;
      expect(result).toMatchObject({ pending: 0, total: VIDEOS, deleted: VIDEOS, notFound: 0, failed: 0, status: 'SUCCEEDED' });

      // What reached the provider: every video at most twice (once before the kill, once on resume).
      const deliveries = new Map<string, number>();
      for (const line of readFileSync(stateFile, 'utf8').split('\n')) {
        if (!line.includes('"m":"delete"')) continue;
        for (const id of (JSON.parse(line) as { ids: string[] }).ids) deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      }
      expect(deliveries.size).toBe(VIDEOS);
      expect(Math.max(...deliveries.values())).toBeLessThanOrEqual(2);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);
});
