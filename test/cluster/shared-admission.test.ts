import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { post } from '../support/graphql-http.js';
import {
  POLL,
  REDIS_URL,
  expectEachItemFinalOnce,
  metric,
  startReplicaCluster,
  status,
  stopReplicaCluster,
  type ReplicaCluster,
} from '../support/replica-cluster.js';

const DELETE = `mutation ($ids: [ID!], $operationId: ID) {
  deleteVideos(input: { ids: $ids, operationId: $operationId, wait: false }) { id }
}`;
const RATE = 30;
const CONCURRENCY = 3;

let running: ReplicaCluster | undefined;

afterEach(async () => {
  const cluster = running;
  running = undefined;
  if (cluster) await stopReplicaCluster(cluster);
});

/** Three workers on one account the simulator holds to 30 requests in any rolling second, as unreel is told. */
async function startRateLimited(videos: number): Promise<ReplicaCluster> {
  running = await startReplicaCluster(videos, {
    simulator: { rateLimit: { limit: RATE, windowMs: 1_000, rolling: true } },
    settings: { requestsPerSecond: RATE },
    limits: { concurrency: CONCURRENCY },
  });
  return running;
}

/** Arrival times (simulator clock) of the deletes the simulator saw, in order. */
function deleteArrivals(cluster: ReplicaCluster): { at: number; status: number }[] {
  return cluster.simulator
    .calls()
    .filter((call) => call.ids.length > 0)
    .map(({ at, status: code }) => ({ at, status: code }))
    .sort((a, b) => a.at - b.at);
}

describe('one account’s limits held across three replicas in Redis', () => {
  it(
    'keeps 30 requests/s over every rolling second, throttled never, every replica calling',
    { timeout: 90_000 },
    async () => {
      // 30 batches to warm the processes up (a cold replica's first calls are slow), then 150 measured: five seconds at
      // the rate.
      const cluster = await startRateLimited(3_600);
      const [url] = cluster.urls as [string];
      await post(url, DELETE, { ids: cluster.ids.slice(0, 600), operationId: 'warm' });
      await expect.poll(async () => (await status(url, 'warm')).status, POLL).toBe('SUCCEEDED');
      // The warm-up's calls have left the shared window once its key has expired (a window past its last call).
      const redis = new Redis(REDIS_URL);
      try {
        await expect.poll(() => redis.exists(`${cluster.keyPrefix}{vod}:calls`), POLL).toBe(0);
      } finally {
        await redis.quit();
      }
      const warmCalls = deleteArrivals(cluster).length;
      await post(url, DELETE, { ids: cluster.ids.slice(600), operationId: 'rate' });
      await expect.poll(async () => (await status(url, 'rate')).status, POLL).toBe('SUCCEEDED');
      await expectEachItemFinalOnce(cluster, 'rate', 3_000);

      const arrivals = deleteArrivals(cluster).slice(warmCalls);
      expect(arrivals.filter((call) => call.status !== 200)).toEqual([]);
      const throttled = await Promise.all(
        cluster.urls.map((replica) => metric(replica, 'unreel_provider_throttled_total', 'account="vod"')),
      );
      expect(throttled).toEqual([0, 0, 0]);
      // Every replica called the account: the limit was shared, not held by one replica doing all the work.
      const calls = await Promise.all(
        cluster.urls.map((replica) =>
          metric(replica, 'unreel_provider_call_duration_seconds_count', 'method="delete"'),
        ),
      );
      expect(calls.every((count) => count > 0)).toBe(true);
      // No rolling second (from any arrival) holds more than the rate.
      let busiest = 0;
      for (let first = 0, last = 0; first < arrivals.length; first++) {
        while (last < arrivals.length && (arrivals[last]?.at as number) < (arrivals[first]?.at as number) + 1_000)
          last++;
        busiest = Math.max(busiest, last - first);
      }
      expect(busiest).toBeLessThanOrEqual(RATE);
      // How much of the rate the shared window spends is a speed, and depends on how loaded the machine is (each call
      // holds its place until its answer: slower answers, fewer calls a second): `pnpm bench cluster` and
      // `pnpm bench redis-admission` print it against the limit. On CI, with a second suite beside it, the average
      // here read 24.8 a second, and a test must not fail for the machine's load.
    },
  );

  it('stops every replica calling the account for the 2 s of one 429’s Retry-After', { timeout: 90_000 }, async () => {
    const cluster = await startRateLimited(1_200);
    const [url] = cluster.urls as [string];
    await post(url, DELETE, { ids: cluster.ids, operationId: 'pause' });
    await expect.poll(async () => (await status(url, 'pause')).deleted, POLL).toBeGreaterThan(100);
    cluster.simulator.failNextWith({
      status: 429,
      code: 'Throttling.User',
      message: 'Request was denied due to user flow control.',
      headers: { 'retry-after': '2' },
    });
    await expect.poll(async () => (await status(url, 'pause')).status, POLL).toBe('SUCCEEDED');
    await expectEachItemFinalOnce(cluster, 'pause', 1_200);

    const arrivals = deleteArrivals(cluster);
    const refused = arrivals.filter((call) => call.status === 429);
    expect(refused).toHaveLength(1);
    const at = refused[0]?.at as number;
    // Within the pause only calls admitted before the pause was set can arrive: the others in flight when the 429
    // arrived, and at most one more per permit any of them gave back while the 429's answer was on its way to its
    // replica and that replica set the pause in Redis (a few ms, more on a busy machine: seen once in CI). Without the
    // shared pause the account would take about RATE x 2 calls in those 2 s.
    const during = arrivals.filter((call) => call.at > at && call.at < at + 2_000);
    expect(during.length).toBeLessThanOrEqual(2 * (CONCURRENCY - 1));
    expect(arrivals.some((call) => call.at >= at + 2_000)).toBe(true);
  });
});
