import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { post } from '../support/graphql-http.js';
import {
  POLL,
  startReplicaCluster,
  status,
  stopReplicaCluster,
  type ReplicaCluster,
} from '../support/replica-cluster.js';

const DELETE = `mutation ($ids: [ID!], $operationId: ID) {
  deleteVideos(input: { ids: $ids, operationId: $operationId, wait: false }) { id }
}`;
const DELETE_AND_WAIT = `mutation ($ids: [ID!], $operationId: ID) {
  deleteVideos(input: { ids: $ids, operationId: $operationId, wait: true }) { id status }
}`;
const RESTORE = `mutation ($id: ID!) { restoreVideo(id: $id) { restored error { code } } }`;

let running: ReplicaCluster | undefined;

afterEach(async () => {
  const cluster = running;
  running = undefined;
  if (cluster) await stopReplicaCluster(cluster);
});

describe('limits and races that span replicas', () => {
  it(
    'holds a tenant to its running-operations limit whichever replicas its requests reach',
    { timeout: 90_000 },
    async () => {
      // Held for an hour: every operation accepted stays RUNNING for the whole test.
      running = await startReplicaCluster(60, {
        account: { deleteDelay: '1h' },
        config: { server: { maxRunningOperationsPerTenant: 2 } },
      });
      const cluster = running;
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          post<{ deleteVideos: { id: string } }, unknown>(cluster.urls[index % 3] as string, DELETE, {
            ids: cluster.ids.slice(index * 10, index * 10 + 10),
            operationId: `limit-${index}`,
          }),
        ),
      );
      const accepted = answers.filter((answer) => answer.errors === undefined);
      const refused = answers.flatMap((answer) => answer.errors?.map((error) => error.extensions?.code) ?? []);
      expect(accepted).toHaveLength(2);
      expect(refused).toEqual(Array.from({ length: 4 }, () => 'TOO_MANY_OPERATIONS'));
      const { rows } = await cluster.journal.query(`SELECT id FROM operations WHERE status = 'RUNNING'`);
      expect(rows).toHaveLength(2);
    },
  );

  it('confirms once for 20 concurrent deliveries of one callback to two replicas', { timeout: 90_000 }, async () => {
    const callbackUrl = 'https://unreel.example/webhooks/vod';
    const authKey = 'unreel-cluster-callback-key';
    running = await startReplicaCluster(1, { settings: { callbackAuthKey: authKey, callbackUrl } });
    const cluster = running;
    const [url] = cluster.urls as [string];
    const deleted = await post<{ deleteVideos: { status: string } }, unknown>(url, DELETE_AND_WAIT, {
      ids: cluster.ids,
      operationId: 'confirm',
    });
    expect(deleted.data?.deleteVideos.status).toBe('SUCCEEDED');
    const body = JSON.stringify({
      EventType: 'DeleteMediaComplete',
      MediaType: 'video',
      DeleteType: 'all',
      EventTime: new Date().toISOString(),
      Status: 'success',
      MediaId: (cluster.ids[0] as string).slice('vod:'.length),
    });
    const timestamp = String(Math.floor(Date.now() / 1_000));
    // ApsaraVideo's callback authentication: md5hex(<callback URL>|<timestamp>|<PrivateKey>).
    const signature = createHash('md5').update(`${callbackUrl}|${timestamp}|${authKey}`).digest('hex');
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const receiver = (cluster.urls[index % 2] as string).replace(/\/graphql$/, '/webhooks/vod');
        const response = await fetch(receiver, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-vod-timestamp': timestamp, 'x-vod-signature': signature },
          body,
        });
        expect(response.status).toBe(200);
        return ((await response.json()) as { status: string }).status;
      }),
    );
    // One delivery is taken; the rest are its duplicates, whichever replica each reached.
    expect(results.filter((result) => result === 'duplicate')).toHaveLength(19);
    expect(results.filter((result) => result !== 'duplicate')).toHaveLength(1);
    const { rows } = await cluster.journal.query(`SELECT delivery_id FROM deliveries`);
    expect(rows).toHaveLength(1);
    const { rows: items } = await cluster.journal.query<{ confirmed: boolean }>(
      `SELECT confirmed_at IS NOT NULL AS confirmed FROM items`,
    );
    expect(items).toEqual([{ confirmed: true }]);
    // The deletion's one event; a confirmation of a deletion already journaled adds none.
    const { rows: events } = await cluster.journal.query(`SELECT sequence FROM events`);
    expect(events).toEqual([{ sequence: 1 }]);
  });

  it(
    'never both restores and deletes a video when restoreVideo races its deleteDelay on other replicas',
    { timeout: 90_000 },
    async () => {
      // Ten batches, one at a time, each answered 100 ms after the simulator acted: the deletions fall due together
      // and go out over a second or more.
      running = await startReplicaCluster(200, {
        answerDelayMs: 100,
        account: { deleteDelay: '1s' },
        limits: { concurrency: 1 },
      });
      const cluster = running;
      const [url] = cluster.urls as [string];
      await post(url, DELETE, { ids: cluster.ids, operationId: 'race' });
      const restore = async (id: string, index: number): Promise<{ id: string; restored: boolean }> => {
        const answer = await post<{ restoreVideo: { restored: boolean } }, unknown>(
          cluster.urls[1 + (index % 2)] as string,
          RESTORE,
          { id },
        );
        return { id, restored: answer.data?.restoreVideo.restored === true };
      };
      // Restored one at a time from the last batch backwards (the batches go out first to last) until the deletions
      // have begun; then the rest at once, racing the batches on their way out.
      const restores: { id: string; restored: boolean }[] = [];
      const backwards = cluster.ids.toReversed();
      let next = 0;
      while (next < backwards.length && (await status(url, 'race')).deleted === 0) {
        restores.push(await restore(backwards[next] as string, next));
        next++;
      }
      restores.push(...(await Promise.all(backwards.slice(next).map((id, index) => restore(id, next + index)))));
      await expect.poll(async () => (await status(url, 'race')).status, POLL).not.toBe('RUNNING');
      const deletedAtProvider = new Set(
        cluster.simulator.calls().flatMap((call) => (call.status === 200 ? call.ids.map((id) => `vod:${id}`) : [])),
      );
      const { rows } = await cluster.journal.query<{ video_id: string; status: string }>(
        `SELECT i.video_id, i.status FROM items i JOIN operations o ON o.op_id = i.op_id WHERE o.id = 'race'`,
      );
      const final = new Map(rows.map((row) => [row.video_id, row.status]));
      // Restored: the video is there at the provider, and the journal says its deletion was undone (cancelled while held,
      // or restored after). Not restored: the video is gone, and the journal says deleted.
      const wrong = restores
        .map(({ id, restored }) => ({
          id,
          restored,
          deleted: deletedAtProvider.has(id),
          present: cluster.simulator.library.presence(id.slice('vod:'.length)),
          journaled: final.get(id),
        }))
        .filter(
          ({ restored, present, journaled }) =>
            (present === 'PRESENT') !== restored ||
            (restored ? !['CANCELLED', 'RESTORED'].includes(journaled ?? '') : journaled !== 'DELETED'),
        );
      expect(wrong).toEqual([]);
      // The race was run: some of each.
      expect(restores.some((answer) => answer.restored)).toBe(true);
      expect(restores.some((answer) => !answer.restored)).toBe(true);
    },
  );
});
