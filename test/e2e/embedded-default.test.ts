import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  RestoreVideoDocument,
  VideoDocument,
  type DeletionQuery,
} from '@unreel/client';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { data } from '../support/graphql-http.js';
import { listVideoIds } from '../support/test-server.js';

/** `unreel` with no config file in a fresh folder: the embedded default, as `pnpm start` runs it. */
function embeddedDefault(dir: string, args: string[] = []): ChildServer {
  return startChildServer({ PORT: '0', UNREEL_CONFIG: '' }, dir, args);
}

async function stop(server: ChildServer, signal: NodeJS.Signals): Promise<void> {
  server.child.kill(signal);
  await server.exited;
}

type Item = NonNullable<DeletionQuery['deletion']>['items']['edges'][number]['node'];

/** Every item of an operation, page by page. */
async function itemsOf(url: string, operationId: string): Promise<Item[]> {
  const items: Item[] = [];
  let after: string | null = null;
  for (;;) {
    const page: DeletionQuery = await data(url, DeletionDocument, { id: operationId, first: 100, after });
    const edges = page.deletion?.items.edges ?? [];
    items.push(...edges.map((edge) => edge.node));
    if (!page.deletion?.items.pageInfo.hasNextPage) return items;
    after = page.deletion.items.pageInfo.endCursor;
  }
}

/** Where the journal and the provider disagree about a video: a deletion recorded DELETED of a video not deleted, or the reverse. */
async function disagreements(url: string, items: readonly Item[]): Promise<string[]> {
  const found = await Promise.all(
    items.map(async (item) => {
      const { video } = await data(url, VideoDocument, { id: item.videoId });
      const deleted = video?.status === 'DELETED';
      return (item.status === 'DELETED') === deleted
        ? []
        : [`${item.videoId}: item ${item.status}, video ${video?.status}`];
    }),
  );
  return found.flat();
}

describe('the embedded default across restarts', () => {
  it('keeps the sandbox beside the journal: after kill -9 a deleted video is still deleted, and restorable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-default-'));
    const first = embeddedDefault(dir);
    const firstUrl = (await first.listening).url;
    const ids = (await listVideoIds(firstUrl, 'sandbox', 500)).slice(0, 10);
    const done = (
      await data(firstUrl, DeleteVideosDocument, { input: { ids, operationId: 'before-kill', wait: true } })
    ).deleteVideos;
    expect(done.pending).toBe(0);
    expect(existsSync(path.join(dir, '.unreel', 'sandbox-state.jsonl'))).toBe(true);
    await stop(first, 'SIGKILL');

    const second = embeddedDefault(dir);
    let url: string;
    try {
      url = (await second.listening).url;
      const items = await itemsOf(url, 'before-kill');
      expect(items.map((item) => item.videoId)).toEqual(ids);
      expect(items.filter((item) => item.status === 'DELETED').length).toBe(done.deleted);
      expect(await disagreements(url, items)).toEqual([]);
      // The listing leaves out what was deleted before the restart.
      const listed = new Set(await listVideoIds(url, 'sandbox', 500));
      for (const item of items) expect(listed.has(item.videoId)).toBe(item.status !== 'DELETED');

      const deleted = items.find((item) => item.status === 'DELETED');
      expect(deleted).toBeDefined();
      const restored = (await data(url, RestoreVideoDocument, { id: deleted?.videoId ?? '' })).restoreVideo;
      expect(restored).toMatchObject({ restored: true, error: null, video: { status: 'READY' } });
      expect((await data(url, VideoDocument, { id: deleted?.videoId ?? '' })).video).toMatchObject({
        status: 'READY',
        deletion: { status: 'RESTORED' },
      });
    } catch (error) {
      await stop(second, 'SIGTERM');
      throw error;
    }

    // Everything left, accepted and killed at once, wherever the kill lands: after the restart the operation
    // resumes, and the journal and the sandbox agree on every item.
    const rest = await listVideoIds(url, 'sandbox', 500);
    await data(url, DeleteVideosDocument, { input: { ids: rest, operationId: 'killed', wait: false } });
    await stop(second, 'SIGKILL');
    const third = embeddedDefault(dir);
    try {
      const thirdUrl = (await third.listening).url;
      await expect
        .poll(async () => (await data(thirdUrl, DeletionDocument, { id: 'killed' })).deletion?.pending, {
          timeout: 30_000,
        })
        .toBe(0);
      const items = await itemsOf(thirdUrl, 'killed');
      expect(items).toHaveLength(rest.length);
      expect(items.filter((item) => item.status === 'DELETED').length).toBeGreaterThan(rest.length / 2);
      expect(await disagreements(thirdUrl, items)).toEqual([]);
    } finally {
      await stop(third, 'SIGTERM');
    }
  }, 90_000);

  it('starts the sandbox afresh with a new journal, and not before: a vanished journal is refused, --new-journal resets both', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-default-'));
    const journal = path.join(dir, '.unreel', 'journal.db');
    const stateFile = path.join(dir, '.unreel', 'sandbox-state.jsonl');
    const id = 'sandbox:vid-000001';
    const first = embeddedDefault(dir);
    const firstUrl = (await first.listening).url;
    await data(firstUrl, DeleteVideosDocument, { input: { ids: [id], operationId: 'one', wait: true } });
    expect((await data(firstUrl, VideoDocument, { id })).video?.status).toBe('DELETED');
    await stop(first, 'SIGTERM');

    for (const file of [journal, `${journal}-wal`, `${journal}-shm`]) rmSync(file, { force: true });
    const refused = embeddedDefault(dir);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain('--new-journal');
    // The refusal touched nothing: restoring the journal file would bring back both as they were.
    expect(existsSync(stateFile)).toBe(true);

    const fresh = embeddedDefault(dir, ['--new-journal']);
    try {
      const url = (await fresh.listening).url;
      expect((await data(url, VideoDocument, { id })).video).toMatchObject({ status: 'READY', deletion: null });
      expect(await listVideoIds(url, 'sandbox', 500)).toHaveLength(500);
      expect(fresh.stdout().some((line) => line.includes('sandbox state reset'))).toBe(true);
    } finally {
      await stop(fresh, 'SIGTERM');
    }
  }, 60_000);
});
