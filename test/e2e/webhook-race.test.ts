import { startFaultProxy, type FaultProxy } from '@unreel/provider-testkit/fault-proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  type DeletionProgressSubscription,
} from '@unreel/client';
import { startSimulator as startFastPix, type FastPixSimulator } from '@unreel/plugin-fastpix/simulator';
import { createUnreelServer, type UnreelServer } from '@unreel/server';
import { freePort } from '../support/free-port.js';
import { data } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';

const FASTPIX_SECRET = Buffer.from('unreel-e2e-fastpix-race-secret').toString('base64');

type ProgressEvent = DeletionProgressSubscription['deletionProgress'];

let server: UnreelServer;
let fastpix: FastPixSimulator;
let proxy: FaultProxy;

beforeAll(async () => {
  const port = await freePort();
  fastpix = await startFastPix({
    videoCount: 0,
    rateLimit: false,
    webhook: { url: `http://127.0.0.1:${port}/webhooks/fastpix`, secret: FASTPIX_SECRET },
  });
  // FastPix deletes at once and sends its webhook; the answer to our DELETE is what this proxy keeps on the way.
  proxy = await startFaultProxy({ target: fastpix.url, rules: [{ method: 'DELETE', fault: { kind: 'hold' } }] });
  server = await createUnreelServer({
    port,
    logLevel: 'silent',
    config: {
      journal: { driver: 'memory' },
      accounts: [
        {
          name: 'fastpix',
          plugin: '@unreel/plugin-fastpix',
          settings: { ...fastpix.credentials, baseUrl: proxy.url, webhookSecret: FASTPIX_SECRET },
        },
      ],
    },
  });
});

afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await fastpix?.close();
});

function progressEvents(results: readonly { data?: DeletionProgressSubscription | null }[]): ProgressEvent[] {
  return results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
}

async function replay(operationId: string): Promise<ProgressEvent[]> {
  const client = wsClient(server.wsUrl);
  try {
    const stream = collect(client, DeletionProgressDocument, { operationId, after: 0 });
    await stream.done;
    return progressEvents(stream.results);
  } finally {
    await client.dispose();
  }
}

/** One sample of the Prometheus text; absent when no series has that name and those labels. */
async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('a provider webhook racing the answer to our own call', () => {
  it('gives the item one final event, the same live and on replay, when the webhook comes first', async () => {
    const [mediaId] = await fastpix.seed([{ state: 'READY' }]);
    const videoId = `fastpix:${mediaId}`;
    const operationId = 'webhook-before-answer';
    const client = wsClient(server.wsUrl);
    try {
      const live = collect(client, DeletionProgressDocument, { operationId, after: 0 });
      const accepted = await data(server.url, DeleteVideosDocument, {
        input: { ids: [videoId], operationId, wait: false },
      });
      expect(accepted.deleteVideos).toMatchObject({ status: 'RUNNING', pending: 1 });
      await proxy.held();
      await fastpix.webhooksIdle();
      expect(fastpix.webhookDeliveries()).toMatchObject([{ type: 'video.media.deleted', mediaId, status: 200 }]);
      // The webhook's DELETED finished the operation: the live subscription is complete while the answer is held.
      await live.done;
      const seen = progressEvents(live.results);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ sequence: 1, total: 1, completed: 1, status: 'SUCCEEDED' });
      expect(seen[0]?.item).toMatchObject({ videoId, status: 'DELETED', attempts: 1 });
      expect(seen[0]?.item.confirmedAt).not.toBeNull();

      // Hold nothing more from now on, and send what is held.
      proxy.clear();
      proxy.release();
      // The run ends once the answer is journaled: from then on nothing more can come for this operation.
      await expect.poll(() => metric('unreel_operations_running', { tenant: 'default' })).toBeUndefined();
      expect(await replay(operationId)).toEqual(seen);
    } finally {
      await client.dispose();
    }

    const deletion = (await data(server.url, DeletionDocument, { id: operationId, first: 10 })).deletion;
    expect(deletion).toMatchObject({ status: 'SUCCEEDED', deleted: 1, failed: 0, pending: 0 });
    expect(deletion?.items.edges.map((edge) => [edge.node.status, edge.node.confirmedAt !== null])).toEqual([
      ['DELETED', true],
    ]);
    // Journaled DELETED once, so counted once.
    expect(await metric('unreel_items_total', { account: 'fastpix', outcome: 'DELETED' })).toBe(1);
  });
});
