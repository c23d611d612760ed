import { afterEach, describe, expect, it } from 'vitest';
import { post } from '../support/graphql-http.js';
import {
  POLL,
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
const ACCOUNTS = '{ accounts { name capabilities { requestsPerSecond configuredRequestsPerSecond } } }';
// ApsaraVideo documents 30 QPS; the quota left to unreel is a third of it, which every replica must learn together.
const CONFIGURED = 30;
const QUOTA = 10;
// 20 ids a call: 100 calls, about ten seconds at the quota.
const VIDEOS = 2_000;

let running: ReplicaCluster | undefined;

afterEach(async () => {
  const cluster = running;
  running = undefined;
  if (cluster) await stopReplicaCluster(cluster);
});

async function learnedRate(url: string): Promise<number | undefined> {
  const answer = await post<{ accounts: { capabilities: { requestsPerSecond: number } }[] }, Record<string, never>>(
    url,
    ACCOUNTS,
  );
  return answer.data?.accounts[0]?.capabilities.requestsPerSecond;
}

describe('one learned rate for three replicas, kept in Redis', () => {
  it(
    'learns a quota a third of the configured rate: at most 10% throttled, one rate on every replica (one that calls nothing included) and in the journal',
    { timeout: 90_000 },
    async () => {
      running = await startReplicaCluster(VIDEOS, {
        simulator: { rateLimit: { limit: QUOTA, windowMs: 1_000, rolling: true } },
        settings: { requestsPerSecond: CONFIGURED },
        limits: { concurrency: 3 },
        // A fourth replica calls no provider: it learns nothing itself, and still answers with the shared rate.
        workers: [true, true, true, false],
      });
      const cluster = running;
      const [url] = cluster.urls as [string];
      await post(url, DELETE, { ids: cluster.ids, operationId: 'learn' });
      await expect.poll(async () => (await status(url, 'learn')).status, POLL).toBe('SUCCEEDED');
      await expectEachItemFinalOnce(cluster, 'learn', VIDEOS);

      const arrivals = cluster.simulator
        .calls()
        .filter((call) => call.ids.length > 0)
        .map(({ at, status: code }) => ({ at, throttled: code === 429 || code === 503 }))
        .sort((a, b) => a.at - b.at);
      const throttled = arrivals.filter((call) => call.throttled);
      expect(throttled.length).toBeGreaterThan(0);
      expect(throttled.length / arrivals.length).toBeLessThanOrEqual(0.1);
      // Every replica called the account: the rate was learned from all their calls, not one replica doing the work.
      const calls = await Promise.all(
        cluster.urls
          .slice(0, 3)
          .map((replica) => metric(replica, 'unreel_provider_call_duration_seconds_count', 'method="delete"')),
      );
      expect(calls.every((count) => count > 0)).toBe(true);

      // One rate: every replica reports the same, near the quota, and the journal holds it; the replica that made no
      // call of the account too.
      const rates = await Promise.all(cluster.urls.map(learnedRate));
      expect(rates).toHaveLength(4);
      expect(new Set(rates).size).toBe(1);
      const rate = rates[0] as number;
      expect(rate).toBeGreaterThanOrEqual(QUOTA - 2);
      expect(rate).toBeLessThanOrEqual(QUOTA + 1);
      await expect
        .poll(async () => {
          const { rows } = await cluster.journal.query<{ requests_per_second: number }>(
            `SELECT requests_per_second FROM account_rates WHERE account = 'vod'`,
          );
          return rows.map((row) => Number(row.requests_per_second));
        }, POLL)
        .toEqual([rate]);
      // Each change was journaled (and counted) once, by the replica that made it: the first throttle's change is
      // counted once in all, though calls on every replica were throttled by the same excess.
      const changes = await Promise.all(
        cluster.urls.map((replica) => metric(replica, 'unreel_account_rate_changes_total', 'account="vod"')),
      );
      const summed = changes.reduce((sum, count) => sum + count, 0);
      expect(summed).toBeGreaterThan(0);
      expect(summed).toBeLessThan(throttled.length + 1);

      // From a second after the first throttle on (calls admitted at the configured rate have all arrived by then),
      // no rolling second holds more than the shared rate allows: the quota, or one more while a step up probes it.
      const recovered = (
        await Promise.all(
          cluster.urls.map((replica) =>
            metric(
              replica,
              'unreel_account_rate_changes_total',
              'account="vod",provider="aliyun-vod",reason="recovered"',
            ),
          ),
        )
      ).reduce((sum, count) => sum + count, 0);
      const after = arrivals.filter((call) => call.at >= (throttled[0]?.at as number) + 1_000);
      let busiest = 0;
      for (let first = 0, last = 0; first < after.length; first++) {
        while (last < after.length && (after[last]?.at as number) < (after[first]?.at as number) + 1_000) last++;
        busiest = Math.max(busiest, last - first);
      }
      expect(busiest).toBeLessThanOrEqual(recovered > 0 ? QUOTA + 1 : QUOTA);
    },
  );
});
