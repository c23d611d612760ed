import { afterEach, describe, expect, it } from 'vitest';
import type { ChildServer } from '../support/child-server.js';
import { post } from '../support/graphql-http.js';
import {
  POLL,
  expectEachItemFinalOnce,
  restartReplicas,
  startReplicaCluster,
  status,
  stopReplicaCluster,
  type ReplicaCluster,
} from '../support/replica-cluster.js';

const DELETE = `mutation ($ids: [ID!], $operationId: ID, $wait: Boolean) {
  deleteVideos(input: { ids: $ids, operationId: $operationId, wait: $wait }) { id total status }
}`;

const OLD = 24;
const KEPT = 6;
const IDS_EACH = 5;
const RUNNING = 300;

let running: ReplicaCluster | undefined;

afterEach(async () => {
  const cluster = running;
  running = undefined;
  if (cluster) await stopReplicaCluster(cluster);
});

interface LogLine {
  level: number;
  msg: string;
  purged?: number;
}

function logLines(replica: ChildServer): LogLine[] {
  return replica.stdout().flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

const PURGED = 'purged finished operations past retention';

/** Every event row of these operations, in order, as text: what "intact" compares. */
async function eventRows(cluster: ReplicaCluster, ids: string[]): Promise<string[]> {
  const { rows } = await cluster.journal.query<{ row: string }>(
    `SELECT o.id || ' ' || e::text AS row FROM events e JOIN operations o ON o.op_id = e.op_id
     WHERE o.id = ANY($1::text[]) ORDER BY o.id, e.sequence`,
    [ids],
  );
  return rows.map((row) => row.row);
}

describe('journal retention across replicas', () => {
  it(
    'purges the operations past retention exactly once when three replicas start together, and keeps the rest whole',
    { timeout: 90_000 },
    async () => {
      // Slow answers, so the large operation is still running when every replica is killed.
      running = await startReplicaCluster((OLD + KEPT) * IDS_EACH + RUNNING, {
        answerDelayMs: 150,
        journal: { retention: '30d' },
      });
      const cluster = running;
      const old = Array.from({ length: OLD }, (_, index) => `old-${index}`);
      const kept = Array.from({ length: KEPT }, (_, index) => `kept-${index}`);
      const idsOf = new Map(
        [...old, ...kept].map((id, index) => [id, cluster.ids.slice(index * IDS_EACH, (index + 1) * IDS_EACH)]),
      );
      // Ten at a time, under the tenant's running limit (25).
      const all = [...old, ...kept];
      for (let first = 0; first < all.length; first += 10) {
        const finished = await Promise.all(
          all.slice(first, first + 10).map((id, index) =>
            post<{ deleteVideos: { status: string } }, unknown>(cluster.urls[index % 3] as string, DELETE, {
              ids: idsOf.get(id),
              operationId: id,
              wait: true,
            }),
          ),
        );
        for (const answer of finished) {
          expect(answer.errors).toBeUndefined();
          expect(answer.data?.deleteVideos.status).toBe('SUCCEEDED');
        }
      }
      const runningIds = cluster.ids.slice((OLD + KEPT) * IDS_EACH);
      await post(cluster.urls[0] as string, DELETE, { ids: runningIds, operationId: 'running', wait: false });
      await expect
        .poll(async () => (await status(cluster.urls[0] as string, 'running')).deleted, POLL)
        .toBeGreaterThan(30);
      for (const replica of cluster.replicas) replica.child.kill('SIGKILL');
      await Promise.all(cluster.replicas.map((replica) => replica.exited));
      expect((await status(cluster.urls[0] as string, 'running').catch(() => undefined)) ?? 'down').toBe('down');

      // Time passes, as the journal sees it: the old ones finished 40 days ago, the kept ones 10 days ago.
      await cluster.journal.query(
        `UPDATE operations SET created_at = created_at - interval '40 days', finished_at = finished_at - interval '40 days'
         WHERE id = ANY($1::text[])`,
        [old],
      );
      await cluster.journal.query(
        `UPDATE operations SET created_at = created_at - interval '10 days', finished_at = finished_at - interval '10 days'
         WHERE id = ANY($1::text[])`,
        [kept],
      );
      const { rows: oldRows } = await cluster.journal.query<{ op_id: string }>(
        `SELECT op_id FROM operations WHERE id = ANY($1::text[])`,
        [old],
      );
      expect(oldRows).toHaveLength(OLD);
      const keptBefore = await eventRows(cluster, kept);
      expect(keptBefore).toHaveLength(KEPT * IDS_EACH);
      const runningBefore = await eventRows(cluster, ['running']);
      const { rows: runningState } = await cluster.journal.query<{ status: string; pending: number }>(
        `SELECT status, pending FROM operations WHERE id = 'running'`,
      );
      expect(runningState[0]?.status).toBe('RUNNING');
      expect(runningState[0]?.pending).toBeGreaterThan(0);

      // Three replicas at once, each purging at start.
      await restartReplicas(cluster);
      await expect
        .poll(
          () =>
            cluster.replicas
              .flatMap(logLines)
              .filter((line) => line.msg === PURGED)
              .reduce((sum, line) => sum + (line.purged ?? 0), 0),
          POLL,
        )
        .toBe(OLD);
      for (const replica of cluster.replicas) {
        const lines = logLines(replica);
        expect(lines.filter((line) => line.msg === 'journal retention purge failed')).toEqual([]);
        // One replica held the lock; any other that logged a purge would have purged the same rows twice.
        expect(lines.filter((line) => line.msg === PURGED).length).toBeLessThanOrEqual(1);
        expect(replica.stdout().join('\n') + replica.stderr()).not.toMatch(/deadlock|could not serialize/i);
      }
      expect(cluster.replicas.flatMap(logLines).filter((line) => line.msg === PURGED)).toHaveLength(1);

      // Gone whole: the operations, their items and their events.
      const opIds = oldRows.map((row) => row.op_id);
      for (const table of ['operations', 'items', 'events']) {
        const { rows } = await cluster.journal.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE op_id = ANY($1::bigint[])`,
          [opIds],
        );
        expect({ table, rows: rows[0]?.n }).toEqual({ table, rows: 0 });
      }
      expect(await status(cluster.urls[1] as string, 'old-0')).toMatchObject({ status: 'UNKNOWN' });
      // Inside retention: every event as it was.
      expect(await eventRows(cluster, kept)).toEqual(keptBefore);
      // The running one: its events so far untouched, and the replicas finish it, each item final once.
      expect((await eventRows(cluster, ['running'])).slice(0, runningBefore.length)).toEqual(runningBefore);
      await expect
        .poll(async () => (await status(cluster.urls[2] as string, 'running')).status, POLL)
        .toBe('SUCCEEDED');
      await expectEachItemFinalOnce(cluster, 'running', RUNNING);

      // A retry of a kept operation still gets its answer from any replica; a purged id is free for a new operation.
      for (const [index, url] of cluster.urls.entries()) {
        const retry = await post<{ deleteVideos: { id: string; total: number; status: string } }, unknown>(
          url,
          DELETE,
          { ids: idsOf.get(kept[index] as string), operationId: kept[index], wait: false },
        );
        expect(retry.errors).toBeUndefined();
        expect(retry.data?.deleteVideos).toEqual({ id: kept[index], total: IDS_EACH, status: 'SUCCEEDED' });
      }
      const reused = await post<{ deleteVideos: { total: number } }, unknown>(cluster.urls[0] as string, DELETE, {
        ids: idsOf.get('old-1')?.slice(0, 2),
        operationId: 'old-0',
        wait: true,
      });
      expect(reused.errors).toBeUndefined();
      expect(reused.data?.deleteVideos.total).toBe(2);
    },
  );
});
