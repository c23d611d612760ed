import { print } from 'graphql';
import { afterEach, expect, it } from 'vitest';
import { DeletionProgressDocument, type DeletionProgressSubscription } from '@unreel/client';
import { post } from '../support/graphql-http.js';
import { wsClient } from '../support/graphql-ws.js';
import {
  expectEachItemFinalOnce,
  startReplicaCluster,
  status,
  stopReplicaCluster,
} from '../support/replica-cluster.js';
import { composeSupergraph, fetchSubgraphSdl } from '../federation/compose-supergraph.js';
import { startReplicaGateway, type ReplicaGateway } from './replica-gateway.js';

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
    const cluster = await startReplicaCluster(VIDEOS, {
      settings: { requestsPerSecond: REQUESTS_PER_SECOND },
      limits: { concurrency: 2 },
    });
    cleanup.push(() => stopReplicaCluster(cluster));
    const { replicas, urls, ids } = cluster;

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

    expect((await status(urls.find((url) => url !== killed) as string, 'through-gateway')).status).toBe('SUCCEEDED');
    await expectEachItemFinalOnce(cluster, 'through-gateway', VIDEOS);
  },
);
