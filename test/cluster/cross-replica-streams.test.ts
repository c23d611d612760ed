import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { DeletionProgressDocument, type DeletionProgressSubscription } from '@unreel/client';
import type { ChildServer } from '../support/child-server.js';
import { post } from '../support/graphql-http.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { collect, wsClient, type Collected } from '../support/graphql-ws.js';
import {
  POLL,
  REDIS_URL,
  expectEachItemFinalOnce,
  metric,
  startReplicaCluster,
  stopReplicaCluster,
  type ReplicaCluster,
} from '../support/replica-cluster.js';

const DELETE = `mutation ($ids: [ID!], $operationId: ID, $wait: Boolean) {
  deleteVideos(input: { ids: $ids, operationId: $operationId, wait: $wait }) { id total status }
}`;

let running: ReplicaCluster | undefined;
let redis: Redis | undefined;
let privateRedis: PrivateRedis | undefined;

afterEach(async () => {
  const cluster = running;
  running = undefined;
  if (cluster) await stopReplicaCluster(cluster);
  await redis?.quit();
  redis = undefined;
  await privateRedis?.close();
  privateRedis = undefined;
});

type Progress = DeletionProgressSubscription['deletionProgress'];

function follow(
  url: string,
  operationId: string,
  after: number,
): Collected<DeletionProgressSubscription> & {
  events(): Progress[];
  close(): Promise<void>;
} {
  const client = wsClient(url.replace(/^http/, 'ws'));
  const stream = collect(client, DeletionProgressDocument, { operationId, after });
  return {
    ...stream,
    events: () => stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress),
    close: () => client.dispose() as Promise<void>,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/** The Redis clients of one replica whose CLIENT SETNAME ends with `use`, as CLIENT LIST fields. */
async function connectionsOf(replica: ChildServer, use: string): Promise<Map<string, string>[]> {
  redis ??= new Redis(REDIS_URL);
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => new Map(line.split(' ').map((field) => field.split('=', 2) as [string, string])))
    .filter((fields) => {
      const name = fields.get('name') ?? '';
      return name.includes(`:${replica.child.pid}:`) && name.endsWith(`:${use}`);
    });
}

describe('following an operation from a replica that runs none of it', () => {
  it(
    'streams 1..N gaplessly on a worker: false replica, the rest after N/2, identical replays everywhere, and a wait that returns at the finish',
    { timeout: 90_000 },
    async () => {
      // Slow answers and the account's concurrency held across replicas: the operation runs for seconds, so the
      // streams below are live, not replays.
      running = await startReplicaCluster(600, {
        answerDelayMs: 150,
        workers: [true, true, false],
        // A wait: true that woke only at its timeout would outlive the test.
        config: { server: { deleteWaitMs: 600_000 } },
      });
      const cluster = running;
      const api = cluster.urls[2] as string;
      const accepted = await post(api, DELETE, { ids: cluster.ids, operationId: 'follow', wait: false });
      expect(accepted.errors).toBeUndefined();
      const whole = follow(api, 'follow', 0);
      const rest = follow(api, 'follow', 300);
      // Answered by the replica that runs nothing, once the others finished the operation.
      const waited = post<{ deleteVideos: { status: string } }, unknown>(api, DELETE, {
        ids: cluster.ids,
        operationId: 'follow',
        wait: true,
      });
      await Promise.all([whole.done, rest.done]);
      await Promise.all([whole.close(), rest.close()]);
      expect(whole.events().map((event) => event.sequence)).toEqual(range(1, 600));
      expect(rest.events().map((event) => event.sequence)).toEqual(range(301, 600));
      expect(rest.events()).toEqual(whole.events().slice(300));
      expect((await waited).data?.deleteVideos.status).toBe('SUCCEEDED');
      await expectEachItemFinalOnce(cluster, 'follow', 600);

      const replays = cluster.urls.map((url) => follow(url, 'follow', 0));
      await Promise.all(replays.map((replay) => replay.done));
      await Promise.all(replays.map((replay) => replay.close()));
      for (const replay of replays) expect(replay.events()).toEqual(whole.events());
    },
  );

  it(
    'loses no event when the replica’s doorbell connection to Redis is killed mid-stream, and delivery resumes',
    { timeout: 90_000 },
    async () => {
      // Long enough (75 batches, 3 at a time across the replicas, 200 ms each) to outlast the reconnection.
      running = await startReplicaCluster(1_500, { answerDelayMs: 200, workers: [true, true, false] });
      const cluster = running;
      const api = cluster.urls[2] as string;
      const apiReplica = cluster.replicas[2] as ChildServer;
      await post(api, DELETE, { ids: cluster.ids, operationId: 'kill-doorbell', wait: false });
      const stream = follow(api, 'kill-doorbell', 0);
      await expect.poll(() => stream.events().length, POLL).toBeGreaterThan(50);
      // The subscriber (not the publisher) of that replica's doorbell bus: the one in subscribe mode. Only this client
      // of the shared Redis is killed.
      const subscriber = (await connectionsOf(apiReplica, 'doorbells')).find(
        (fields) => Number(fields.get('sub') ?? 0) > 0,
      );
      expect(subscriber).toBeDefined();
      const killedId = subscriber?.get('id') as string;
      await redis?.client('KILL', 'ID', killedId);
      const heardBefore = await doorbellsHeard(api);
      // ioredis connects again and subscribes anew, and doorbells are heard again, not only the poll's reads.
      await expect
        .poll(
          async () =>
            (await connectionsOf(apiReplica, 'doorbells')).some(
              (fields) => fields.get('id') !== killedId && Number(fields.get('sub') ?? 0) > 0,
            ),
          POLL,
        )
        .toBe(true);
      await expect.poll(() => doorbellsHeard(api), POLL).toBeGreaterThan(heardBefore);
      expect(stream.events().length).toBeLessThan(1_500);
      await stream.done;
      await stream.close();
      expect(stream.events().map((event) => event.sequence)).toEqual(range(1, 1_500));
      await expectEachItemFinalOnce(cluster, 'kill-doorbell', 1_500);
    },
  );
});

describe('the whole of Redis paused mid-stream', () => {
  it(
    'calls no provider and answers not ready while Redis is stopped, loses no event, and delivery resumes after',
    { timeout: 90_000 },
    async () => {
      // A Redis of the test's own: the machine's is shared with other tests and must never be paused.
      privateRedis = await startPrivateRedis();
      const paused = privateRedis;
      running = await startReplicaCluster(1_200, {
        answerDelayMs: 200,
        workers: [true, true, false],
        redisUrl: paused.url,
      });
      const cluster = running;
      const api = cluster.urls[2] as string;
      const workers = cluster.urls.slice(0, 2);
      expect(await Promise.all(cluster.urls.map(readiness))).toEqual(['ready', 'ready', 'ready']);
      await post(api, DELETE, { ids: cluster.ids, operationId: 'pause-redis', wait: false });
      const stream = follow(api, 'pause-redis', 0);
      await expect.poll(() => stream.events().length, POLL).toBeGreaterThan(50);
      const failuresBefore = await Promise.all(workers.map(admissionFailures));

      paused.pause();
      // Each replica's readiness ping outlives the command timeout (2 s) unanswered.
      await expect
        .poll(() => Promise.all(cluster.urls.map(readiness)), POLL)
        .toEqual(['redis-unavailable', 'redis-unavailable', 'redis-unavailable']);
      // Both workers have tried the admission since, and found Redis silent: from here on, no call may be made.
      await expect
        .poll(
          async () => (await Promise.all(workers.map(admissionFailures))).every((n, i) => n > failuresBefore[i]!),
          POLL,
        )
        .toBe(true);
      const callsWhileStopped = cluster.simulator.calls().length;
      // Every call admitted before the pause has been answered and journaled; the subscriber has them all.
      await expect
        .poll(async () => {
          const { rows } = await cluster.journal.query<{ last: number }>(
            `SELECT last_sequence AS last FROM operations WHERE id = 'pause-redis'`,
          );
          return stream.events().length === rows[0]?.last;
        }, POLL)
        .toBe(true);
      const heardWhileStopped = stream.events().length;
      expect(heardWhileStopped).toBeLessThan(1_200);
      // Still stopped (each admission attempt waits out its command timeout): fail closed means no call at all.
      await expect
        .poll(
          async () => (await Promise.all(workers.map(admissionFailures))).every((n, i) => n > failuresBefore[i]! + 1),
          POLL,
        )
        .toBe(true);
      expect(cluster.simulator.calls().length).toBe(callsWhileStopped);
      expect(await Promise.all(cluster.urls.map(readiness))).toEqual([
        'redis-unavailable',
        'redis-unavailable',
        'redis-unavailable',
      ]);

      paused.resume();
      await expect.poll(() => Promise.all(cluster.urls.map(readiness)), POLL).toEqual(['ready', 'ready', 'ready']);
      await expect.poll(() => stream.events().length, POLL).toBeGreaterThan(heardWhileStopped);
      expect(cluster.simulator.calls().length).toBeGreaterThan(callsWhileStopped);
      await stream.done;
      await stream.close();
      expect(stream.events().map((event) => event.sequence)).toEqual(range(1, 1_200));
      await expectEachItemFinalOnce(cluster, 'pause-redis', 1_200);
    },
  );
});

/** What a replica's /readyz says: `ready`, or the status of why not. */
async function readiness(url: string): Promise<string> {
  const response = await fetch(url.replace(/\/graphql$/, '/readyz'));
  const body = (await response.json()) as { status: string };
  expect(response.ok).toBe(body.status === 'ready');
  return body.status;
}

/** How often a replica's admission found Redis unusable (and so made no call). */
function admissionFailures(url: string): Promise<number> {
  return metric(url, 'unreel_redis_unavailable_total', 'part="admission"');
}

/** How many doorbells from other replicas this replica has heard (the lag histogram's count). */
async function doorbellsHeard(url: string): Promise<number> {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((entry) => entry.startsWith('unreel_doorbell_lag_seconds_count '));
  return Number(line?.split(' ').at(-1) ?? 0);
}
