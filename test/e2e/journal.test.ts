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
import { createUnreelServer, type UnreelServer } from '@unreel/server';
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
  return { dir, configFile, calls, start: () => startChildServer({ PORT: '0', UNREEL_CONFIG: configFile }, dir) };
}

async function stop(server: ChildServer, signal: NodeJS.Signals): Promise<void> {
  server.child.kill(signal);
  await server.exited;
}

/**
 * The same config served in this process on a clock the test sets: what is due and what is past retention then
 * depends on that clock alone, never on how long a busy machine took. Returns the server and its log lines.
 */
async function startOnClock(configFile: string, now: () => Date): Promise<{ server: UnreelServer; logs(): LogLine[] }> {
  const lines: string[] = [];
  const server = await createUnreelServer({
    config: configFile,
    port: 0,
    logLevel: 'info',
    logDestination: { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream,
    now,
  });
  return { server, logs: () => lines.map((line) => JSON.parse(line) as LogLine) };
}

interface LogLine {
  msg: string;
  purged?: number;
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
    const sandbox = setup('journal-held', { journal: { path: 'journal.db' }, deleteDelay: '1h' });
    const ids = ['sb:vid-000001', 'sb:vid-000002', 'sb:vid-000003'];
    const first = sandbox.start();
    const accepted = (
      await data((await first.listening).url, DeleteVideosDocument, {
        input: { ids, operationId: 'held', wait: false },
      })
    ).deleteVideos;
    expect(accepted).toMatchObject({ status: 'RUNNING', pending: 3 });
    await stop(first, 'SIGKILL');

    // Restarted on a clock the test sets (from the time the killed process stamped), a minute before the hour is up.
    const due = Date.parse(accepted.createdAt as string) + 3_600_000;
    const beforeDue = await startOnClock(sandbox.configFile, () => new Date(due - 60_000));
    try {
      const url = beforeDue.server.url;
      expect((await data(url, VideoDocument, { id: 'sb:vid-000001' })).video?.deletion?.status).toBe('SCHEDULED');
      const undone = (await data(url, RestoreVideoDocument, { id: 'sb:vid-000001' })).restoreVideo;
      expect(undone).toMatchObject({ restored: true, error: null, video: { deletion: { status: 'RESTORED' } } });
      expect((await data(url, VideoDocument, { id: 'sb:vid-000002' })).video?.deletion?.status).toBe('SCHEDULED');
    } finally {
      await beforeDue.server.close();
    }
    expect(sandbox.calls('delete')).toEqual([]);

    // Restarted again once the hour is up: the held ones are due, and run as it resumes them.
    const atDue = await startOnClock(sandbox.configFile, () => new Date(due));
    try {
      const client = wsClient(atDue.server.wsUrl);
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
      expect(sandbox.calls('delete').flatMap((call) => call.ids)).toEqual(['vid-000002', 'vid-000003']);
      expect(sandbox.calls('restore')).toEqual([]);
    } finally {
      await atDue.server.close();
    }
  }, 30_000);

  it('purges finished operations past the retention when it starts, which frees their operationId', async () => {
    const sandbox = setup('journal-retention', { journal: { path: 'journal.db', retention: '3s' } });
    // finishedAt and the purge's cutoff both read this clock; the purge at start is done once the server has started.
    let clock = Date.parse('2030-01-01T00:00:00.000Z');
    const start = () => startOnClock(sandbox.configFile, () => new Date(clock));
    const purged = (logs: LogLine[]) =>
      logs.filter((line) => line.msg === 'purged finished operations past retention').map((line) => line.purged);

    const first = await start();
    try {
      const { url } = first.server;
      await data(url, DeleteVideosDocument, { input: { ids: ['sb:vid-000001'], operationId: 'old', wait: true } });
      clock += 2_500;
      await data(url, DeleteVideosDocument, { input: { ids: ['sb:vid-000002'], operationId: 'recent', wait: true } });
    } finally {
      await first.server.close();
    }

    // 'old' finished exactly the retention ago: kept, since only what is past it goes.
    clock += 500;
    const atRetention = await start();
    try {
      expect(purged(atRetention.logs())).toEqual([]);
      expect((await data(atRetention.server.url, DeletionDocument, { id: 'old' })).deletion).toMatchObject({
        total: 1,
      });
    } finally {
      await atRetention.server.close();
    }

    clock += 1;
    const second = await start();
    try {
      const { url } = second.server;
      expect(purged(second.logs())).toEqual([1]);
      expect((await data(url, DeletionDocument, { id: 'old' })).deletion).toBeNull();
      expect((await data(url, DeletionDocument, { id: 'recent' })).deletion).toMatchObject({ total: 1, deleted: 1 });
      const again = (
        await data(url, DeleteVideosDocument, { input: { ids: ['sb:vid-000003'], operationId: 'old', wait: true } })
      ).deleteVideos;
      expect(again).toMatchObject({ total: 1, deleted: 1, status: 'SUCCEEDED' });
    } finally {
      await second.server.close();
    }
  }, 30_000);
});
