import { afterEach, describe, expect, it } from 'vitest';
import { DeletionProgressDocument, type DeletionProgressSubscription } from '@unreel/client';
import type { ChildServer } from '../support/child-server.js';
import { post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import {
  POLL,
  expectEachItemFinalOnce,
  journaled,
  metric,
  owns,
  startReplicaCluster,
  status,
  stopReplicaCluster,
  type ReplicaCluster,
  type ReplicaClusterOptions,
} from '../support/replica-cluster.js';

/** Chunks one replica runs at once: its account's concurrency (3), twice over (LeaseWorker's default). */
const VICTIM_SLOTS = 6;

const DELETE = `mutation ($ids: [ID!], $operationId: ID) {
  deleteVideos(input: { ids: $ids, operationId: $operationId, wait: false }) { id total createdAt }
}`;
const DELETE_SELECTION = `mutation ($operationId: ID) {
  deleteVideos(input: { selection: { account: "vod" }, maxItems: 10000, operationId: $operationId, wait: false }) { id }
}`;

let running: ReplicaCluster | undefined;

afterEach(async () => {
  const cluster = running;
  running = undefined;
  if (cluster) await stopReplicaCluster(cluster);
});

async function startCluster(videos: number, options: ReplicaClusterOptions = {}): Promise<ReplicaCluster> {
  running = await startReplicaCluster(videos, options);
  return running;
}

describe('three replicas share the work as leased chunks', () => {
  it(
    'one operation for 50 concurrent requests with one operationId, spread over every replica, each item final once',
    { timeout: 90_000 },
    async () => {
      const cluster = await startCluster(1_000);
      const same = Array.from({ length: 50 }, (_, index) =>
        post<{ deleteVideos: unknown }, unknown>(cluster.urls[index % 3] as string, DELETE, {
          ids: cluster.ids,
          operationId: 'shared',
        }),
      );
      const other = Array.from({ length: 10 }, (_, index) =>
        post<{ deleteVideos: unknown }, unknown>(cluster.urls[index % 3] as string, DELETE, {
          ids: cluster.ids.slice(index, index + 10),
          operationId: 'shared',
        }),
      );
      const answers = await Promise.all(same);
      const conflicts = await Promise.all(other);
      const accepted = answers.map((answer) => JSON.stringify(answer.data?.deleteVideos));
      expect(answers.every((answer) => answer.errors === undefined)).toBe(true);
      expect(new Set(accepted).size).toBe(1);
      expect(JSON.parse(accepted[0] as string)).toMatchObject({ id: 'shared', total: 1_000 });
      expect(conflicts.map((answer) => answer.errors?.[0]?.extensions?.code)).toEqual(
        Array.from({ length: 10 }, () => 'IDEMPOTENCY_CONFLICT'),
      );
      const { rows } = await cluster.journal.query(`SELECT id FROM operations`);
      expect(rows).toEqual([{ id: 'shared' }]);

      await expect.poll(async () => (await status(cluster.urls[0] as string, 'shared')).status, POLL).toBe('SUCCEEDED');
      await expectEachItemFinalOnce(cluster, 'shared', 1_000);
      // Every replica ran a share of the chunks.
      for (const url of cluster.urls)
        expect(await metric(url, 'unreel_leases_total', 'event="claimed"')).toBeGreaterThan(0);
      const claimed = await Promise.all(
        cluster.urls.map((url) => metric(url, 'unreel_leases_total', 'event="claimed"')),
      );
      // 1,000 ids in batches of 20: 50 chunks, all done (a lease that expired under load is claimed again).
      expect(claimed.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(50);
      const { rows: open } = await cluster.journal.query(`SELECT 1 FROM chunks WHERE NOT done`);
      expect(open).toEqual([]);
    },
  );

  it(
    'finishes the work of a replica killed mid-operation, each item final once, resending at most its batches in flight',
    { timeout: 90_000 },
    async () => {
      // A lease of 5 s, not 2: on a loaded machine a live replica's renewal (every third of the lease) can stall past
      // 2 s, and its chunks, claimed again, would count here as the dead replica's. What is proven does not change.
      const cluster = await startCluster(5_000, { answerDelayMs: 150, leaseMs: 5_000 });
      const [url] = cluster.urls as [string];
      const accepted = await post(url, DELETE, { ids: cluster.ids, operationId: 'kill' });
      expect(accepted.errors).toBeUndefined();
      await expect.poll(async () => (await status(url, 'kill')).deleted, POLL).toBeGreaterThanOrEqual(2_000);
      const victim = cluster.replicas[1] as ChildServer;
      victim.child.kill('SIGKILL');
      await victim.exited;

      await expect.poll(async () => (await status(url, 'kill')).status, POLL).toBe('SUCCEEDED');
      await expectEachItemFinalOnce(cluster, 'kill', 5_000);
      // Ids the provider was asked to delete more than once: only those of the victim's chunks in flight, once more.
      const sent = new Map<string, number>();
      const deletes = cluster.simulator.calls().filter((call) => call.ids.length > 0 && call.status === 200);
      for (const call of deletes) for (const id of call.ids) sent.set(id, (sent.get(id) ?? 0) + 1);
      const resent = [...sent.values()].filter((count) => count > 1);
      expect(resent.every((count) => count === 2)).toBe(true);
      const claimedAfterExpiry = (
        await Promise.all(
          [cluster.urls[0], cluster.urls[2]].map((other) =>
            metric(other as string, 'unreel_leases_total', 'event="expired"'),
          ),
        )
      ).reduce((sum, count) => sum + count, 0);
      // Taken over once its leases expired: at most the chunks it ran at once (concurrency 3, twice over), each one
      // provider batch (20 ids), re-sent at most once.
      expect(claimedAfterExpiry).toBeGreaterThan(0);
      expect(claimedAfterExpiry).toBeLessThanOrEqual(VICTIM_SLOTS);
      expect(resent.length).toBeLessThanOrEqual(claimedAfterExpiry * 20);
    },
  );

  it(
    'refuses every write of a replica stopped past its lease: its late answer changes nothing and emits nothing',
    { timeout: 90_000 },
    async () => {
      // The stopped replica also holds its account's admission permits in Redis: they outlive their holder by its call
      // timeout + 5 s (never taken from a live caller), and the account is blocked until then. A short timeout keeps
      // that wait short; 300 ms answers are well within it.
      const cluster = await startCluster(600, { answerDelayMs: 300, limits: { callTimeoutMs: 2_000 } });
      const [url] = cluster.urls as [string];
      const sleeper = cluster.replicas[2] as ChildServer;
      await post(url, DELETE, { ids: cluster.ids, operationId: 'stop' });
      // Stopped right after it claims: its call goes out (or is about to), and its lease runs out while it sleeps.
      let claimed: { chunk_id: string; positions: number[] } | undefined;
      await expect
        .poll(async () => {
          const { rows } = await cluster.journal.query<{ chunk_id: string; positions: number[] }>(
            `SELECT chunk_id, positions FROM chunks WHERE lease_owner LIKE $1 AND NOT done LIMIT 1`,
            [owns(sleeper)],
          );
          claimed = rows[0];
          return claimed !== undefined;
        }, POLL)
        .toBe(true);
      sleeper.child.kill('SIGSTOP');
      // Twice the lease, observed on the journal: another replica has claimed and finished the sleeper's chunk.
      await expect
        .poll(async () => {
          const { rows } = await cluster.journal.query<{ done: boolean; lease_owner: string | null }>(
            `SELECT done, lease_owner FROM chunks WHERE chunk_id = $1`,
            [claimed?.chunk_id],
          );
          return rows[0]?.done === true;
        }, POLL)
        .toBe(true);
      await expect.poll(async () => (await status(url, 'stop')).status, POLL).toBe('SUCCEEDED');
      const before = await cluster.journal.query(
        `SELECT e.* FROM events e JOIN operations o ON o.op_id = e.op_id WHERE o.id = 'stop' ORDER BY sequence`,
      );
      sleeper.child.kill('SIGCONT');
      // The sleeper wakes, hears its answer, and is refused by the fence: its lease is lost.
      await expect
        .poll(async () => metric(cluster.urls[2] as string, 'unreel_leases_total', 'event="lost"'), POLL)
        .toBeGreaterThan(0);
      const after = await cluster.journal.query(
        `SELECT e.* FROM events e JOIN operations o ON o.op_id = e.op_id WHERE o.id = 'stop' ORDER BY sequence`,
      );
      expect(after.rows).toEqual(before.rows);
      await expectEachItemFinalOnce(cluster, 'stop', 600);
    },
  );

  it(
    'lists a selection on one replica at a time while the replicas delete what it journals',
    { timeout: 90_000 },
    async () => {
      const cluster = await startCluster(500);
      const [url] = cluster.urls as [string];
      const accepted = await post(url, DELETE_SELECTION, { operationId: 'selection' });
      expect(accepted.errors).toBeUndefined();
      await expect.poll(async () => (await status(url, 'selection')).status, POLL).toBe('SUCCEEDED');
      expect(await status(url, 'selection')).toMatchObject({ total: 500, deleted: 500, discovery: 'DONE' });
      // Each item: its discovery's event, then its outcome's; gapless whoever wrote which.
      const { rows } = await cluster.journal.query<{ sequence: number; position: number; status: string }>(
        `SELECT e.sequence, e.position, e.status FROM events e JOIN operations o ON o.op_id = e.op_id
         WHERE o.id = 'selection' ORDER BY e.sequence`,
      );
      expect(rows.map((row) => row.sequence)).toEqual(Array.from({ length: 1_000 }, (_, index) => index + 1));
      const { finals } = await journaled(cluster, 'selection');
      expect(finals.size).toBe(500);
      expect([...finals.values()].every((count) => count === 1)).toBe(true);
      const nativeIds = new Set(cluster.ids.map((id) => id.slice('vod:'.length)));
      const deleted = cluster.simulator.calls().flatMap((call) => (call.status === 200 ? call.ids : []));
      expect(new Set(deleted.filter((id) => nativeIds.has(id))).size).toBe(500);
      // The listing ran under one discovery lease: only one replica listed.
      const listers = await Promise.all(
        cluster.urls.map((replica) => metric(replica, 'unreel_provider_call_duration_seconds_count', 'method="list"')),
      );
      expect(listers.filter((calls) => calls > 0)).toHaveLength(1);
    },
  );

  it(
    'runs nothing on a worker: false replica, which serves the operation and replays it as the others do',
    { timeout: 90_000 },
    async () => {
      const cluster = await startCluster(400, { workers: [true, true, false] });
      const api = cluster.urls[2] as string;
      const accepted = await post(api, DELETE, { ids: cluster.ids, operationId: 'api' });
      expect(accepted.errors).toBeUndefined();
      await expect.poll(async () => (await status(api, 'api')).status, POLL).toBe('SUCCEEDED');
      await expectEachItemFinalOnce(cluster, 'api', 400);
      expect(await metric(api, 'unreel_leases_total', 'event="claimed"')).toBe(0);
      expect(await metric(api, 'unreel_provider_call_duration_seconds_count', 'method="delete"')).toBe(0);
      // A replay reads the journal: the same events, 1..N, from every replica.
      const replays = await Promise.all(
        cluster.urls.map(async (url) => {
          const client = wsClient(url.replace(/^http/, 'ws'));
          const stream = collect(client, DeletionProgressDocument, { operationId: 'api', after: 0 });
          await stream.done;
          await client.dispose();
          return stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
        }),
      );
      expect(replays[0]?.map((event) => event.sequence)).toEqual(Array.from({ length: 400 }, (_, index) => index + 1));
      expect(replays[1]).toEqual(replays[0]);
      expect(replays[2]).toEqual(replays[0]);
    },
  );

  it('hands its leases back at once on a graceful shutdown', { timeout: 90_000 }, async () => {
    const cluster = await startCluster(2_000, { answerDelayMs: 200 });
    const [url] = cluster.urls as [string];
    const leaving = cluster.replicas[1] as ChildServer;
    await post(url, DELETE, { ids: cluster.ids, operationId: 'leave' });
    await expect
      .poll(async () => {
        const { rows } = await cluster.journal.query(`SELECT 1 FROM chunks WHERE lease_owner LIKE $1 AND NOT done`, [
          owns(leaving),
        ]);
        return rows.length;
      }, POLL)
      .toBeGreaterThan(0);
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toBe(0);
    // Nothing of it is left leased: its chunks are claimable at once, not after their leases expire.
    const { rows } = await cluster.journal.query(`SELECT 1 FROM chunks WHERE lease_owner LIKE $1`, [owns(leaving)]);
    expect(rows).toEqual([]);
    await expect.poll(async () => (await status(url, 'leave')).status, POLL).toBe('SUCCEEDED');
    await expectEachItemFinalOnce(cluster, 'leave', 2_000);
  });
});
