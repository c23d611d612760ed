import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  RestoreVideoDocument,
  VideoDocument,
  type DeletionProgressSubscription,
} from '@unreel/client';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';

interface SandboxCallRecord {
  t: string;
  m?: string;
  ids?: string[];
  at?: number;
}

/** A config for one sandbox account whose provider remembers every call across processes (its stateFile). */
function setup(name: string, config: { journal?: unknown; deleteDelay?: string }) {
  const dir = mkdtempSync(path.join(tmpdir(), `unreel-${name}-`));
  const stateFile = path.join(dir, 'sandbox-state.jsonl');
  const configFile = path.join(dir, 'unreel.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      ...(config.journal === undefined ? {} : { journal: config.journal }),
      accounts: [
        {
          name: 'sb',
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 20, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0, stateFile },
          ...(config.deleteDelay === undefined ? {} : { deleteDelay: config.deleteDelay }),
        },
      ],
    }),
  );
  const calls = (method: string): SandboxCallRecord[] =>
    existsSync(stateFile)
      ? readFileSync(stateFile, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as SandboxCallRecord)
          .filter((record) => record.t === 'call' && record.m === method)
      : [];
  return { dir, calls, start: () => startChildServer({ PORT: '0', UNREEL_CONFIG: configFile }, dir) };
}

async function stop(server: ChildServer, signal: NodeJS.Signals): Promise<void> {
  server.child.kill(signal);
  await server.exited;
}

describe('the journal across restarts', () => {
  it('lives in .unreel/journal.db by default, and answers a retry after a restart with the same result and no provider call', async () => {
    const sandbox = setup('journal-default', {});
    const ids = ['sb:vid-000001', 'sb:vid-000002', 'sb:vid-000003'];
    const first = sandbox.start();
    const firstUrl = (await first.listening).url;
    const original = (
      await data(firstUrl, DeleteVideosDocument, { input: { ids, operationId: 'retry-me', wait: true } })
    ).deleteVideos;
    expect(original).toMatchObject({ status: 'SUCCEEDED', deleted: 3, pending: 0 });
    expect(existsSync(path.join(sandbox.dir, '.unreel', 'journal.db'))).toBe(true);
    await stop(first, 'SIGKILL');
    const deletesBefore = sandbox.calls('delete').length;

    const second = sandbox.start();
    try {
      const url = (await second.listening).url;
      const retried = (
        await data(url, DeleteVideosDocument, {
          input: { ids: [...ids].reverse(), operationId: 'retry-me', wait: true },
        })
      ).deleteVideos;
      expect(retried).toEqual(original);
      expect(sandbox.calls('delete')).toHaveLength(deletesBefore);
      const conflict = await post(url, DeleteVideosDocument, { input: { ids: ids.slice(1), operationId: 'retry-me' } });
      expect(conflict.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');
      expect(sandbox.calls('delete')).toHaveLength(deletesBefore);
      const items = (await data(url, DeletionDocument, { id: 'retry-me', first: 10 })).deletion?.items.edges.map(
        (edge) => [edge.node.videoId, edge.node.status],
      );
      expect(items).toEqual(ids.map((id) => [id, 'DELETED']));
    } finally {
      await stop(second, 'SIGTERM');
    }
  }, 30_000);

  it('forgets everything with the memory driver', async () => {
    const sandbox = setup('journal-memory', { journal: { driver: 'memory' } });
    const first = sandbox.start();
    const firstUrl = (await first.listening).url;
    await data(firstUrl, DeleteVideosDocument, { input: { ids: ['sb:vid-000001'], operationId: 'gone', wait: true } });
    await stop(first, 'SIGTERM');
    expect(existsSync(path.join(sandbox.dir, '.unreel'))).toBe(false);
    const second = sandbox.start();
    try {
      expect((await data((await second.listening).url, DeletionDocument, { id: 'gone' })).deletion).toBeNull();
    } finally {
      await stop(second, 'SIGTERM');
    }
  }, 30_000);

  it('holds deleteDelay deletions SCHEDULED through a SIGKILL: restoreVideo cancels one with no provider call, the rest run when due', async () => {
    const sandbox = setup('journal-held', { journal: { path: 'journal.db' }, deleteDelay: '5s' });
    const ids = ['sb:vid-000001', 'sb:vid-000002', 'sb:vid-000003'];
    const first = sandbox.start();
    const accepted = (
      await data((await first.listening).url, DeleteVideosDocument, {
        input: { ids, operationId: 'held', wait: false },
      })
    ).deleteVideos;
    expect(accepted).toMatchObject({ status: 'RUNNING', pending: 3 });
    await stop(first, 'SIGKILL');

    const second = sandbox.start();
    try {
      const url = (await second.listening).url;
      expect((await data(url, VideoDocument, { id: 'sb:vid-000001' })).video?.deletion?.status).toBe('SCHEDULED');
      const undone = (await data(url, RestoreVideoDocument, { id: 'sb:vid-000001' })).restoreVideo;
      expect(undone).toMatchObject({ restored: true, error: null, video: { deletion: { status: 'RESTORED' } } });
      expect(sandbox.calls('delete')).toEqual([]);

      const client = wsClient(url.replace(/^http/, 'ws'));
      const stream = collect(client, DeletionProgressDocument, { operationId: 'held', after: 0 });
      await stream.done;
      await client.dispose();
      const events = stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
      expect(events.map((event) => [event.sequence, event.item.videoId, event.item.status])).toEqual([
        [1, 'sb:vid-000001', 'RESTORED'],
        [2, 'sb:vid-000002', 'DELETED'],
        [3, 'sb:vid-000003', 'DELETED'],
      ]);
      expect(events.at(-1)?.status).toBe('SUCCEEDED');
      // The held ones reached the provider once, when due; the cancelled one never did, nor any restore call.
      const deletes = sandbox.calls('delete');
      expect(deletes.flatMap((call) => call.ids)).toEqual(['vid-000002', 'vid-000003']);
      const due = Date.parse(accepted.createdAt as string) + 5_000;
      expect(deletes.every((call) => (call.at ?? 0) >= due)).toBe(true);
      expect(sandbox.calls('restore')).toEqual([]);
    } finally {
      await stop(second, 'SIGTERM');
    }
  }, 30_000);

  it('purges finished operations past the retention when it starts, which frees their operationId', async () => {
    const sandbox = setup('journal-retention', { journal: { path: 'journal.db', retention: '3s' } });
    const first = sandbox.start();
    const firstUrl = (await first.listening).url;
    await data(firstUrl, DeleteVideosDocument, { input: { ids: ['sb:vid-000001'], operationId: 'old', wait: true } });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await data(firstUrl, DeleteVideosDocument, {
      input: { ids: ['sb:vid-000002'], operationId: 'recent', wait: true },
    });
    await stop(first, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const second = sandbox.start();
    try {
      const url = (await second.listening).url;
      expect((await data(url, DeletionDocument, { id: 'old' })).deletion).toBeNull();
      expect((await data(url, DeletionDocument, { id: 'recent' })).deletion).toMatchObject({ total: 1, deleted: 1 });
      const again = (
        await data(url, DeleteVideosDocument, { input: { ids: ['sb:vid-000003'], operationId: 'old', wait: true } })
      ).deleteVideos;
      expect(again).toMatchObject({ total: 1, deleted: 1, status: 'SUCCEEDED' });
    } finally {
      await stop(second, 'SIGTERM');
    }
  }, 30_000);
});
