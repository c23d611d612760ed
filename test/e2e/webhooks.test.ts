import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  type DeletionProgressSubscription,
} from '@unreel/client';
import { startSimulator as startAliyunVod, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { startSimulator as startFastPix, type FastPixSimulator } from '@unreel/plugin-fastpix/simulator';
import { createUnreelServer, type UnreelServer } from '@unreel/server';
import { freePort } from '../support/free-port.js';
import { data } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';

// FastPix shows its signing secret base64-encoded; the key is the decoded bytes.
const FASTPIX_SECRET = Buffer.from('unreel-e2e-fastpix-signing-secret').toString('base64');
const VOD_AUTH_KEY = 'unreel-e2e-vod-callback-key';

let server: UnreelServer;
let fastpix: FastPixSimulator;
let vod: AliyunVodSimulator;
let webhookBase: string;

beforeAll(async () => {
  // The simulators must know where to deliver before the server that receives exists, so the port comes first.
  const port = await freePort();
  webhookBase = `http://127.0.0.1:${port}/webhooks`;
  // Every delivery is sent twice, as a provider redelivers after a lost answer: the second must change nothing.
  fastpix = await startFastPix({
    videoCount: 0,
    rateLimit: false,
    webhook: { url: `${webhookBase}/fastpix`, secret: FASTPIX_SECRET },
    webhookDuplicates: true,
  });
  vod = await startAliyunVod({
    videoCount: 0,
    rateLimit: false,
    callback: { url: `${webhookBase}/vod`, authKey: VOD_AUTH_KEY },
    callbackTwice: true,
  });
  server = await createUnreelServer({
    port,
    logLevel: 'silent',
    config: {
      journal: { driver: 'memory' },
      accounts: [
        {
          name: 'fastpix',
          plugin: '@unreel/plugin-fastpix',
          settings: { ...fastpix.credentials, baseUrl: fastpix.url, webhookSecret: FASTPIX_SECRET },
        },
        {
          name: 'vod',
          plugin: '@unreel/plugin-aliyun-vod',
          settings: {
            ...vod.credentials,
            endpoint: vod.url,
            callbackAuthKey: VOD_AUTH_KEY,
            callbackUrl: `${webhookBase}/vod`,
          },
        },
        { name: 'sandbox', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 5, latencyMs: [0, 0] } },
      ],
    },
  });
});

afterAll(async () => {
  await server?.close();
  await fastpix?.close();
  await vod?.close();
});

async function deletionEvents(
  operationId: string,
  after = 0,
): Promise<DeletionProgressSubscription['deletionProgress'][]> {
  const client = wsClient(server.wsUrl);
  try {
    const stream = collect(client, DeletionProgressDocument, { operationId, after });
    await stream.done;
    return stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
  } finally {
    await client.dispose();
  }
}

async function postWebhook(
  account: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${webhookBase}/${account}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, body: await response.json() };
}

describe('provider webhooks confirm deletions', () => {
  let fastpixIds: string[];
  let vodIds: string[];

  it('records each verified confirmation once on its item, with one final event per item', async () => {
    fastpixIds = (await fastpix.seed([{ state: 'READY' }, { state: 'READY' }, { state: 'READY' }])).map(
      (id) => `fastpix:${id}`,
    );
    vodIds = (await vod.seed([{ state: 'READY' }, { state: 'READY' }, { state: 'READY' }])).map((id) => `vod:${id}`);
    const operationId = 'webhooks-confirm';
    const result = await data(server.url, DeleteVideosDocument, {
      input: { ids: [...fastpixIds, ...vodIds], operationId, wait: true },
    });
    expect(result.deleteVideos).toMatchObject({ status: 'SUCCEEDED', deleted: 6, pending: 0 });
    await fastpix.webhooksIdle();
    await vod.flushWebhooks();

    // Each provider delivered every event twice: the first was recorded, the copy answered as a duplicate.
    const fastpixDeliveries = fastpix.webhookDeliveries();
    expect(fastpixDeliveries).toHaveLength(6);
    expect(fastpixDeliveries.every((delivery) => delivery.status === 200)).toBe(true);
    const vodDeliveries = vod.webhookDeliveries();
    expect(vodDeliveries).toHaveLength(6);
    expect(vodDeliveries.every((delivery) => delivery.status === 200)).toBe(true);

    const items = (await data(server.url, DeletionDocument, { id: operationId, first: 10 })).deletion?.items.edges.map(
      (edge) => edge.node,
    );
    expect(items).toHaveLength(6);
    for (const item of items ?? []) {
      expect(item.status).toBe('DELETED');
      expect(item.confirmedAt, `${item.videoId} confirmed`).not.toBeNull();
    }

    const events = await deletionEvents(operationId);
    // One final event per video, gapless, whatever arrived twice. A provider may deliver its webhook before our own
    // call has returned: then the webhook's DELETED (confirmed) is that event and the answer adds none; after it, the
    // confirmation only sets confirmedAt on the item (above), so a replay shows what a live subscriber saw.
    expect(events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((event) => event.item.videoId).sort()).toEqual([...fastpixIds, ...vodIds].sort());
    expect(events.every((event) => event.item.status === 'DELETED')).toBe(true);
    expect(events.at(-1)?.status).toBe('SUCCEEDED');
  });

  it('refuses unsigned and badly signed deliveries with 401, and changes nothing', async () => {
    const before = await deletionEvents('webhooks-confirm');
    const body = JSON.stringify({
      type: 'video.media.deleted',
      id: 'evt-forged',
      object: { type: 'media', id: fastpixIds[0]!.slice('fastpix:'.length) },
    });
    const wrongKey = createHmac('sha256', Buffer.from('not-the-secret')).update(body).digest('base64');
    expect(await postWebhook('fastpix', body, {})).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(await postWebhook('fastpix', body, { 'fastpix-signature': wrongKey })).toMatchObject({ status: 401 });

    const callback = JSON.stringify({
      EventType: 'DeleteMediaComplete',
      EventTime: new Date().toISOString(),
      Status: 'fail',
      MediaId: vodIds[0]!.slice(4),
    });
    expect(await postWebhook('vod', callback, {})).toMatchObject({ status: 401 });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const forged = createHmac('md5', 'x').update('y').digest('hex');
    expect(
      await postWebhook('vod', callback, { 'x-vod-timestamp': timestamp, 'x-vod-signature': forged }),
    ).toMatchObject({ status: 401 });

    expect(await deletionEvents('webhooks-confirm')).toEqual(before);
  });

  it("answers FastPix's unsigned endpoint check with 200, and changes nothing", async () => {
    const before = await deletionEvents('webhooks-confirm');
    const probe = await fastpix.sendValidationProbe();
    expect(probe.status).toBe(200);
    expect(await deletionEvents('webhooks-confirm')).toEqual(before);
  });

  it('has no receiver for an unknown account or one whose provider sends no webhooks', async () => {
    expect(await postWebhook('nope', '{}', {})).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await postWebhook('sandbox', '{}', {})).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
  });
});
