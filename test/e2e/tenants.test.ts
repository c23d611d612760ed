import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountsDocument,
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  RestoreVideoDocument,
  VideoDocument,
  VideosDocument,
} from '@unreel/client';
import { getSandboxLibrary } from '@unreel/plugin-sandbox';
import type { UnreelServer } from '@unreel/server';
import { ask, shapeOf, TRANSPORTS, type Caller } from '../support/ask.js';
import { bearer, data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { startTestServer } from '../support/test-server.js';

const ACME_KEY = 'acme-key-0123456789abcdef';
const ACME_SECOND_KEY = 'acme-key-rotated-fedcba9876543210';
const BETA_KEY = 'beta-key-0123456789abcdef';
const METRICS_KEY = 'metrics-key-0123456789abcdef';

const ACME = 'acme-sb';
const BETA = 'beta-sb';
const BETA_OPERATION = 'beta-op';

let server: UnreelServer;
let acme: Caller;
let beta: Caller;

function sandbox(name: string, seed: number) {
  return {
    name,
    plugin: '@unreel/plugin-sandbox',
    settings: { videoCount: 40, seed, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0 },
  };
}

function caller(key: string): Caller {
  return {
    url: server.url,
    headers: bearer(key),
    ws: wsClient(server.wsUrl, { connectionParams: { authorization: `Bearer ${key}` } }),
  };
}

/** Opens a raw graphql-transport-ws socket, sends connection_init with these params, and reports how it ends. */
function handshake(
  connectionParams: Record<string, unknown> | undefined,
): Promise<{ acknowledged: boolean; closeCode: number | undefined }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    socket.once('open', () =>
      socket.send(
        JSON.stringify({ type: 'connection_init', ...(connectionParams ? { payload: connectionParams } : {}) }),
      ),
    );
    socket.on('message', (raw) => {
      if ((JSON.parse(String(raw)) as { type: string }).type === 'connection_ack') {
        socket.close(1000);
        resolve({ acknowledged: true, closeCode: undefined });
      }
    });
    socket.once('close', (code) => resolve({ acknowledged: false, closeCode: code }));
  });
}

beforeAll(async () => {
  server = await startTestServer(
    {
      accounts: [sandbox(ACME, 1), sandbox(BETA, 2)],
      tenants: [
        { name: 'acme', apiKeys: ['${ACME_KEY}', ACME_SECOND_KEY], accounts: [ACME] },
        { name: 'beta', apiKeys: ['${BETA_KEY}'], accounts: [BETA] },
      ],
      server: { metrics: { apiKey: '${METRICS_KEY}' } },
    },
    { env: { ...process.env, ACME_KEY, BETA_KEY, METRICS_KEY } },
  );
  acme = caller(ACME_KEY);
  beta = caller(BETA_KEY);
  // Beta's finished operation, the thing acme must never reach.
  const created = await data(
    server.url,
    DeleteVideosDocument,
    { input: { ids: [`${BETA}:vid-000001`, `${BETA}:vid-000002`], operationId: BETA_OPERATION } },
    beta.headers,
  );
  expect(created.deleteVideos).toMatchObject({ id: BETA_OPERATION, status: 'SUCCEEDED', deleted: 2 });
});

afterAll(async () => {
  await Promise.all([acme?.ws.dispose(), beta?.ws.dispose()]);
  await server?.close();
});

describe('authentication', () => {
  it('answers HTTP without a valid Bearer key with 401 UNAUTHENTICATED, before reading the body', async () => {
    for (const headers of [
      {},
      bearer('not-a-key-of-anyone-at-all'),
      { authorization: `Basic ${ACME_KEY}` },
      { authorization: 'Bearer' },
    ]) {
      const response = await post(server.url, AccountsDocument, {}, headers);
      expect(response.status).toBe(401);
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.data ?? null).toBeNull();
    }
    const raw = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('accepts every key of a tenant, and the scheme in any case', async () => {
    for (const headers of [bearer(ACME_KEY), bearer(ACME_SECOND_KEY), { authorization: `bearer ${ACME_KEY}` }]) {
      const response = await post(server.url, AccountsDocument, {}, headers);
      expect(response.status).toBe(200);
      expect(response.data?.accounts.map((account) => account.name)).toEqual([ACME]);
    }
  });

  it('closes a WebSocket with 4403 when connectionParams carry no key or a wrong one', async () => {
    expect(await handshake(undefined)).toEqual({ acknowledged: false, closeCode: 4403 });
    expect(await handshake({})).toEqual({ acknowledged: false, closeCode: 4403 });
    expect(await handshake({ authorization: 'Bearer not-a-key-of-anyone-at-all' })).toEqual({
      acknowledged: false,
      closeCode: 4403,
    });
    expect(await handshake({ authorization: 42 })).toEqual({ acknowledged: false, closeCode: 4403 });
    expect(await handshake({ authorization: `Bearer ${BETA_KEY}` })).toEqual({
      acknowledged: true,
      closeCode: undefined,
    });
    expect(await handshake({ authorization: BETA_KEY })).toEqual({ acknowledged: true, closeCode: undefined });
  });

  it('keeps /healthz and /readyz open and /metrics behind its own key', async () => {
    const base = server.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: bearer(ACME_KEY) })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: bearer(METRICS_KEY) })).status).toBe(200);
  });
});

describe.each(TRANSPORTS)('isolation over %s', (transport) => {
  it('lists only the tenant’s own accounts', async () => {
    const answer = await ask(transport, acme, AccountsDocument, {});
    expect(answer.data?.accounts.map((account) => account.name)).toEqual([ACME]);
  });

  it('answers videos() of another tenant’s account exactly as of an account that does not exist', async () => {
    const foreign = await ask(transport, acme, VideosDocument, { account: BETA, first: 2 });
    const unknown = await ask(transport, acme, VideosDocument, { account: 'nowhere', first: 2 });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(shapeOf(foreign, BETA)).toBe(shapeOf(unknown, 'nowhere'));
    expect((await ask(transport, beta, VideosDocument, { account: BETA, first: 2 })).data?.videos.edges).toHaveLength(
      2,
    );
  });

  it('reads another tenant’s video as null, as an unknown one', async () => {
    const foreign = await ask(transport, acme, VideoDocument, { id: `${BETA}:vid-000003` });
    const unknown = await ask(transport, acme, VideoDocument, { id: 'nowhere:vid-000003' });
    expect(foreign).toEqual({ data: { __typename: 'Query', video: null } });
    expect(shapeOf(foreign)).toBe(shapeOf(unknown));
    expect((await ask(transport, beta, VideoDocument, { id: `${BETA}:vid-000003` })).data?.video?.id).toBe(
      `${BETA}:vid-000003`,
    );
  });

  it('refuses to delete another tenant’s video as it refuses an unknown account, and journals nothing', async () => {
    const calls = getSandboxLibrary(BETA)?.calls.length;
    const operationId = `foreign-delete-${transport}`;
    const foreign = await ask(transport, acme, DeleteVideosDocument, {
      input: { ids: [`${ACME}:vid-000010`, `${BETA}:vid-000010`], operationId },
    });
    const unknown = await ask(transport, acme, DeleteVideosDocument, {
      input: { ids: [`${ACME}:vid-000010`, 'nowhere:vid-000010'], operationId },
    });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids' });
    expect(shapeOf(foreign, BETA)).toBe(shapeOf(unknown, 'nowhere'));
    expect((await ask(transport, acme, DeletionDocument, { id: operationId })).data?.deletion).toBeNull();
    expect(getSandboxLibrary(BETA)?.calls.length).toBe(calls);
    expect(getSandboxLibrary(BETA)?.stateOf('vid-000010')).toBe('PRESENT');
  });

  it('does not find another tenant’s operation, as it does not find one that never existed', async () => {
    const foreign = await ask(transport, acme, DeletionDocument, { id: BETA_OPERATION });
    const unknown = await ask(transport, acme, DeletionDocument, { id: 'never-existed' });
    expect(foreign).toEqual({ data: { __typename: 'Query', deletion: null } });
    expect(shapeOf(foreign)).toBe(shapeOf(unknown));
    expect((await ask(transport, beta, DeletionDocument, { id: BETA_OPERATION })).data?.deletion?.total).toBe(2);
  });

  it('refuses to restore another tenant’s video as an unknown account, and changes nothing', async () => {
    const foreign = await ask(transport, acme, RestoreVideoDocument, { id: `${BETA}:vid-000001` });
    const unknown = await ask(transport, acme, RestoreVideoDocument, { id: 'nowhere:vid-000001' });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(shapeOf(foreign, BETA)).toBe(shapeOf(unknown, 'nowhere'));
    expect(getSandboxLibrary(BETA)?.stateOf('vid-000001')).toBe('SOFT_DELETED');
    expect((await ask(transport, beta, DeletionDocument, { id: BETA_OPERATION })).data?.deletion?.restored).toBe(0);
  });

  it('treats another tenant’s operationId as free: reusing it creates the caller’s own operation', async () => {
    const operationId = `${BETA_OPERATION}-reused-${transport}`;
    const n = transport === 'http' ? 20 : 25;
    await data(
      server.url,
      DeleteVideosDocument,
      { input: { ids: [`${BETA}:vid-0000${n}`], operationId } },
      beta.headers,
    );
    // Beta's ids under beta's id are no conflict for acme: there is nothing of acme's under that id.
    const reused = await ask(transport, acme, DeleteVideosDocument, {
      input: { ids: [`${ACME}:vid-0000${n}`, `${ACME}:vid-0000${n + 1}`], operationId },
    });
    const fresh = await ask(transport, acme, DeleteVideosDocument, {
      input: { ids: [`${ACME}:vid-0000${n + 2}`], operationId: `${operationId}-fresh` },
    });
    expect(reused.errors).toBeUndefined();
    expect(reused.data?.deleteVideos).toMatchObject({ id: operationId, total: 2, deleted: 2 });
    expect(fresh.data?.deleteVideos).toMatchObject({ total: 1 });
    const betaView = await ask(transport, beta, DeletionDocument, { id: operationId, first: 5 });
    expect(betaView.data?.deletion).toMatchObject({ total: 1, deleted: 1 });
    expect(betaView.data?.deletion?.items.edges.map((edge) => edge.node.videoId)).toEqual([`${BETA}:vid-0000${n}`]);
  });
});

describe('isolation of subscriptions', () => {
  it('never replays another tenant’s operation; the same operationId streams only the caller’s own events', async () => {
    // Beta's operation is finished and journaled: a leak would replay its two events at once.
    const seen: string[] = [];
    const progress = collect(acme.ws, DeletionProgressDocument, { operationId: BETA_OPERATION, after: 0 }, (result) => {
      if (result.data) seen.push(result.data.deletionProgress.item.videoId);
    });
    const ids = [`${ACME}:vid-000030`, `${ACME}:vid-000031`, `${ACME}:vid-000032`];
    const created = await data(
      server.url,
      DeleteVideosDocument,
      { input: { ids, operationId: BETA_OPERATION } },
      acme.headers,
    );
    expect(created.deleteVideos).toMatchObject({ id: BETA_OPERATION, total: 3 });
    await progress.done;
    expect(seen.sort()).toEqual(ids);
    expect(progress.results.every((result) => result.errors === undefined)).toBe(true);
    // Beta still sees its own two items under that id, untouched.
    const betaView = await data(server.url, DeletionDocument, { id: BETA_OPERATION, first: 10 }, beta.headers);
    expect(betaView.deletion?.items.edges.map((edge) => edge.node.videoId)).toEqual([
      `${BETA}:vid-000001`,
      `${BETA}:vid-000002`,
    ]);
  });

  it('replays to the owner from any point', async () => {
    const replay = collect(beta.ws, DeletionProgressDocument, { operationId: BETA_OPERATION, after: 1 });
    await replay.done;
    expect(replay.results.map((result) => result.data?.deletionProgress.sequence)).toEqual([2]);
  });
});
