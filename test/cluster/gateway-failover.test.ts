import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { DeletionProgressDocument, type DeletionProgressSubscription } from '@unreel/client';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { post } from '../support/graphql-http.js';
import { wsClient } from '../support/graphql-ws.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { composeSupergraph, fetchSubgraphSdl } from '../federation/compose-supergraph.js';
import { startReplicaGateway, type ReplicaGateway } from './replica-gateway.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const LEASE_MS = 2_000;
const VIDEOS = 400;
/** 20 ids per DeleteVideo call: 20 calls, at 4 a second across the cluster, so the stream outlives the kill. */
const REQUESTS_PER_SECOND = 4;
/** Events seen before the replica holding the upstream socket is killed. */
const KILL_AFTER = 40;

const DELETE = `mutation ($ids: [ID!], $operationId: ID) {
  deleteVideos(input: { ids: $ids, operationId: $operationId, wait: false }) { id total }
}`;

let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

type ProgressEvent = DeletionProgressSubscription['deletionProgress'];

/**
 * Subscribes through the gateway as @unreel/client does: after any failure or early end, again with `after` = the last
 * sequence seen. Unlike @unreel/client it drops nothing: every event received is recorded, so a sequence sent twice
 * (the gateway resubscribing upstream from the first `after`) shows.
 */
async function follow(
  wsUrl: string,
  operationId: string,
  onEvent: (event: ProgressEvent) => void,
): Promise<{ received: number[]; attempts: number }> {
  const received: number[] = [];
  let attempts = 0;
  const subscribeOnce = async (): Promise<boolean> => {
    const client = wsClient(wsUrl);
    let final = false;
    await new Promise<void>((resolve) => {
      client.subscribe<DeletionProgressSubscription>(
        { query: print(DeletionProgressDocument), variables: { operationId, after: received.at(-1) ?? 0 } },
        {
          next: ({ data }) => {
            if (!data) return;
            received.push(data.deletionProgress.sequence);
            final = data.deletionProgress.status !== 'RUNNING';
            onEvent(data.deletionProgress);
          },
          error: () => resolve(),
          complete: () => resolve(),
        },
      );
    });
    await client.dispose();
    return final;
  };
  for (;;) {
    attempts += 1;
    if (attempts > 200) throw new Error(`no final event after ${attempts - 1} subscriptions: ${received.at(-1)}`);
    if (await subscribeOnce()) break;
    // A replica that just died may still be picked for the next socket: each try goes to the next one.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { received, attempts };
}

it(
  'a client behind Hive Gateway follows deletionProgress to exactly 1..N while the replica holding its upstream socket is SIGKILLed',
  { timeout: 120_000 },
  async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => database.drop());
    const simulator: AliyunVodSimulator = await startSimulator({
      videoCount: 0,
      processingRatio: 0,
      forbiddenRatio: 0,
      rateLimit: false,
    });
    cleanup.push(() => simulator.close());
    const ids = (await simulator.seed(Array.from({ length: VIDEOS }, () => ({ state: 'READY' as const })))).map(
      (id) => `vod:${id}`,
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-gateway-'));
    const keyPrefix = `unreel-test:${randomUUID()}:`;
    const replicas: ChildServer[] = [];
    cleanup.push(async () => {
      for (const replica of replicas) {
        if (replica.child.exitCode !== null || replica.child.signalCode !== null) continue;
        replica.child.kill('SIGKILL');
        await replica.exited;
      }
    });
    for (const index of [0, 1, 2]) {
      const configFile = path.join(dir, `replica-${index}.json`);
      writeFileSync(
        configFile,
        JSON.stringify({
          journal: { driver: 'postgres', url: database.url, poolSize: 4 },
          cluster: { redis: { url: REDIS_URL, keyPrefix }, leaseMs: LEASE_MS, worker: true },
          accounts: [
            {
              name: 'vod',
              plugin: '@unreel/plugin-aliyun-vod',
              settings: { ...simulator.credentials, endpoint: simulator.url, requestsPerSecond: REQUESTS_PER_SECOND },
              limits: { concurrency: 2 },
            },
          ],
        }),
      );
      replicas.push(startChildServer({ PORT: '0', UNREEL_CONFIG: configFile }, process.cwd()));
    }
    const urls = (await Promise.all(replicas.map((replica) => replica.listening))).map(({ url }) => url);

    const supergraph = composeSupergraph([
      { name: 'unreel', url: urls[0] as string, typeDefs: await fetchSubgraphSdl(urls[0] as string) },
    ]);
    const gateway: ReplicaGateway = await startReplicaGateway(supergraph, 'unreel', urls);
    cleanup.push(() => gateway.close());

    const accepted = await post<{ deleteVideos: { id: string; total: number } }, unknown>(gateway.url, DELETE, {
      ids,
      operationId: 'through-gateway',
    });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.deleteVideos).toEqual({ id: 'through-gateway', total: VIDEOS });

    let killed: string | undefined;
    const { received, attempts } = await follow(gateway.wsUrl, 'through-gateway', (event) => {
      if (killed !== undefined || event.sequence < KILL_AFTER) return;
      killed = gateway.socketReplica();
      replicas[urls.indexOf(killed as string)]?.child.kill('SIGKILL');
    });

    // The replica that held the socket was killed while the operation ran, and the client had to subscribe again.
    expect(killed).toBeDefined();
    expect(replicas[urls.indexOf(killed as string)]?.child.signalCode).toBe('SIGKILL');
    // Every sequence exactly once, in order: nothing lost, nothing sent again.
    expect(received).toEqual(Array.from({ length: VIDEOS }, (_, index) => index + 1));
    expect(attempts).toBeGreaterThan(1);

    const journal = new pg.Client({ connectionString: database.url });
    await journal.connect();
    try {
      const { rows } = await journal.query<{ status: string }>(`SELECT status FROM operations WHERE id = $1`, [
        'through-gateway',
      ]);
      expect(rows).toEqual([{ status: 'SUCCEEDED' }]);
    } finally {
      await journal.end();
    }
  },
);
