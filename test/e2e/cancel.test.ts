import { startFaultProxy, type FaultProxy } from '@unreel/provider-testkit/fault-proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelDeletionDocument,
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  DeletionsDocument,
  type DeletionProgressSubscription,
  type DeletionsQueryVariables,
} from '@unreel/client';
import { startSimulator as startFastPix, type FastPixSimulator } from '@unreel/plugin-fastpix/simulator';
import { createUnreelServer, type UnreelServer } from '@unreel/server';
import { bearer, data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';

/** Generous: the machine is shared, and these wait for states, never for time. */
const POLL = { timeout: 15_000 };

describe('cancelDeletion against a provider whose answers are held', () => {
  let server: UnreelServer;
  let fastpix: FastPixSimulator;
  let proxy: FaultProxy;

  beforeAll(async () => {
    fastpix = await startFastPix({ videoCount: 0, rateLimit: false });
    // FastPix deletes one video per call; the proxy keeps each answer until the test lets it go: a slow provider
    // whose calls are in flight exactly as long as the test needs.
    proxy = await startFaultProxy({ target: fastpix.url, rules: [{ method: 'DELETE', fault: { kind: 'hold' } }] });
    server = await createUnreelServer({
      port: 0,
      logLevel: 'silent',
      config: {
        journal: { driver: 'memory' },
        accounts: [
          {
            name: 'fastpix',
            plugin: '@unreel/plugin-fastpix',
            settings: { ...fastpix.credentials, baseUrl: proxy.url },
            // One call at a time: the first is in flight, the next waits for the account's limit, the rest are
            // not planned yet.
            limits: { concurrency: 1 },
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

  it('cancels what was not sent, lets the call in flight finish, and the progress stream ends CANCELLED', async () => {
    const mediaIds = await fastpix.seed(Array.from({ length: 6 }, () => ({ state: 'READY' as const })));
    const ids = mediaIds.map((mediaId) => `fastpix:${mediaId}`);
    const operationId = 'cancel-mid-way';
    const client = wsClient(server.wsUrl);
    try {
      // Subscribed before the mutation, as a frontend does.
      const progress = collect(client, DeletionProgressDocument, { operationId, after: 0 });
      const accepted = await data(server.url, DeleteVideosDocument, { input: { ids, operationId, wait: false } });
      expect(accepted.deleteVideos).toMatchObject({ status: 'RUNNING', pending: 6 });
      await proxy.held();
      const attempts = async () =>
        (await data(server.url, DeletionDocument, { id: operationId, first: 10 })).deletion?.items.edges.map(
          (edge) => edge.node.attempts,
        );
      await expect.poll(attempts, POLL).toEqual([1, 1, 0, 0, 0, 0]);

      const cancelled = await data(server.url, CancelDeletionDocument, { operationId });
      // Four never sent: cancelled now. The call in flight, and the one journaled as sent, are still open.
      expect(cancelled.cancelDeletion).toMatchObject({ id: operationId, status: 'RUNNING', cancelled: 4, pending: 2 });
      proxy.release();
      await progress.done;

      const events = progress.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
      expect(events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(events.map((event) => event.item.videoId)).size).toBe(6);
      const statusOf = new Map(events.map((event) => [event.item.videoId, event.item.status]));
      // The call in flight reached FastPix and its answer counts; the one waiting its turn was never made.
      expect(ids.map((id) => statusOf.get(id))).toEqual([
        'DELETED',
        'CANCELLED',
        'CANCELLED',
        'CANCELLED',
        'CANCELLED',
        'CANCELLED',
      ]);
      expect(events.at(-1)).toMatchObject({ status: 'CANCELLED', completed: 6, total: 6 });
      expect(events.slice(0, -1).every((event) => event.status === 'RUNNING')).toBe(true);
      expect(proxy.requests().filter((request) => request.method === 'DELETE')).toHaveLength(1);
      expect(mediaIds.map((mediaId) => fastpix.library.stateOf(mediaId))).toEqual([
        'GONE',
        'PRESENT',
        'PRESENT',
        'PRESENT',
        'PRESENT',
        'PRESENT',
      ]);

      // Cancelled items are an outcome like any other for the operator's metrics.
      const metrics = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
      expect(metrics).toContain('unreel_items_total{account="fastpix",provider="fastpix",outcome="CANCELLED"} 5');
      expect(metrics).toContain('unreel_items_total{account="fastpix",provider="fastpix",outcome="DELETED"} 1');

      // Idempotent: cancelling again answers the finished operation as it is.
      const again = await data(server.url, CancelDeletionDocument, { operationId });
      expect(again.cancelDeletion).toMatchObject({
        status: 'CANCELLED',
        deleted: 1,
        cancelled: 5,
        pending: 0,
        finishedAt: expect.any(String),
      });
      const items = await data(server.url, DeletionDocument, { id: operationId, first: 10, status: 'CANCELLED' });
      expect(items.deletion?.items.edges.map((edge) => [edge.node.videoId, edge.node.attempts])).toEqual(
        ids.slice(1).map((id) => [id, 0]),
      );
    } finally {
      await client.dispose();
    }
  });

  it('answers an unknown operation with BAD_USER_INPUT naming it, over HTTP and WebSocket alike', async () => {
    const refused = await post(server.url, CancelDeletionDocument, { operationId: 'no-such-operation' });
    expect(refused.errors?.[0]).toMatchObject({
      message: 'Unknown operation "no-such-operation"',
      extensions: { code: 'BAD_USER_INPUT', field: 'operationId' },
    });
    const client = wsClient(server.wsUrl);
    try {
      const overSocket = collect(client, CancelDeletionDocument, { operationId: 'no-such-operation' });
      await overSocket.done;
      expect(overSocket.results[0]?.errors?.[0]).toMatchObject({
        message: 'Unknown operation "no-such-operation"',
        extensions: { code: 'BAD_USER_INPUT', field: 'operationId' },
      });
    } finally {
      await client.dispose();
    }
  });
});

describe('deletions', () => {
  const ACME_KEY = 'acme-key-0123456789abcdef';
  const BETA_KEY = 'beta-key-0123456789abcdef';
  const start = Date.parse('2026-03-01T12:00:00.000Z');
  let now = start;
  let server: UnreelServer;

  const sandbox = (name: string, deleteDelay?: string) => ({
    name,
    plugin: '@unreel/plugin-sandbox',
    settings: { videoCount: 40, seed: 3, latencyMs: [0, 1], processingRatio: 0, forbiddenRatio: 0 },
    ...(deleteDelay ? { deleteDelay } : {}),
  });

  /** Held deletions are not waited for: they are due in an hour. */
  async function submit(key: string, operationId: string, ids: string[], at: number): Promise<void> {
    now = at;
    const wait = !ids.some((id) => id.startsWith('acme-held:'));
    await data(server.url, DeleteVideosDocument, { input: { ids, operationId, wait } }, bearer(key));
  }

  async function list(key: string, variables: DeletionsQueryVariables = {}) {
    return (await data(server.url, DeletionsDocument, variables, bearer(key))).deletions;
  }

  beforeAll(async () => {
    server = await createUnreelServer({
      port: 0,
      logLevel: 'silent',
      // The clock operations are stamped with: the test says when each was created, ties included.
      now: () => new Date(now),
      env: { ...process.env, ACME_KEY, BETA_KEY },
      config: {
        journal: { driver: 'memory' },
        accounts: [sandbox('acme'), sandbox('acme-held', '1h'), sandbox('beta')],
        tenants: [
          { name: 'acme', apiKeys: ['${ACME_KEY}'], accounts: ['acme', 'acme-held'] },
          { name: 'beta', apiKeys: ['${BETA_KEY}'], accounts: ['beta'] },
        ],
        server: { metrics: { enabled: false } },
      },
    });
    await submit(ACME_KEY, 'a-1', ['acme:vid-000001'], start);
    await submit(BETA_KEY, 'b-1', ['beta:vid-000001'], start + 500);
    // Held by deleteDelay: RUNNING until cancelled.
    await submit(ACME_KEY, 'a-2', ['acme-held:vid-000001'], start + 1_000);
    await submit(ACME_KEY, 'a-3', ['acme:vid-000002'], start + 2_000);
    // Created at the same instant: the id breaks the tie, the same on every page.
    await submit(ACME_KEY, 'a-4', ['acme:vid-000003'], start + 2_000);
    await submit(ACME_KEY, 'a-5', ['acme-held:vid-000002'], start + 3_000);
    const cancelled = await data(server.url, CancelDeletionDocument, { operationId: 'a-2' }, bearer(ACME_KEY));
    expect(cancelled.cancelDeletion).toMatchObject({ status: 'CANCELLED', cancelled: 1 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("pages through the caller's operations newest first with an opaque cursor", async () => {
    const first = await list(ACME_KEY, { first: 2 });
    expect(first.edges.map((edge) => edge.node.id)).toEqual(['a-5', 'a-4']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list(ACME_KEY, { first: 2, after: first.pageInfo.endCursor });
    expect(second.edges.map((edge) => edge.node.id)).toEqual(['a-3', 'a-2']);
    const third = await list(ACME_KEY, { first: 2, after: second.pageInfo.endCursor });
    expect(third.edges.map((edge) => edge.node.id)).toEqual(['a-1']);
    expect(third.pageInfo).toMatchObject({ hasNextPage: false, endCursor: third.edges[0]?.cursor });
    // Any edge's cursor resumes after that edge.
    const fromEdge = await list(ACME_KEY, { first: 10, after: first.edges[0]?.cursor });
    expect(fromEdge.edges.map((edge) => edge.node.id)).toEqual(['a-4', 'a-3', 'a-2', 'a-1']);
    expect(first.edges[0]?.node).toMatchObject({
      status: 'RUNNING',
      total: 1,
      pending: 1,
      createdAt: new Date(start + 3_000).toISOString(),
    });
  });

  it('filters by status', async () => {
    const ids = async (variables: DeletionsQueryVariables) =>
      (await list(ACME_KEY, variables)).edges.map((edge) => edge.node.id);
    expect(await ids({ status: 'SUCCEEDED' })).toEqual(['a-4', 'a-3', 'a-1']);
    expect(await ids({ status: 'CANCELLED' })).toEqual(['a-2']);
    expect(await ids({ status: 'RUNNING' })).toEqual(['a-5']);
    expect(await ids({ status: 'FAILED' })).toEqual([]);
    const page = await list(ACME_KEY, { status: 'SUCCEEDED', first: 1 });
    expect(await ids({ status: 'SUCCEEDED', after: page.pageInfo.endCursor })).toEqual(['a-3', 'a-1']);
  });

  it("never shows or cancels another tenant's operations", async () => {
    expect((await list(BETA_KEY)).edges.map((edge) => edge.node.id)).toEqual(['b-1']);
    expect((await list(ACME_KEY)).edges.map((edge) => edge.node.id)).not.toContain('b-1');
    // Beta's operation is as unknown to acme as one that never existed.
    const refused = await post(server.url, CancelDeletionDocument, { operationId: 'b-1' }, bearer(ACME_KEY));
    expect(refused.errors?.[0]).toMatchObject({
      message: 'Unknown operation "b-1"',
      extensions: { code: 'BAD_USER_INPUT', field: 'operationId' },
    });
    const running = await post(server.url, CancelDeletionDocument, { operationId: 'a-5' }, bearer(BETA_KEY));
    expect(running.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'operationId' });
    expect((await list(ACME_KEY, { status: 'RUNNING' })).edges.map((edge) => edge.node.id)).toEqual(['a-5']);
  });

  it('refuses a malformed cursor and a page size out of bounds, naming the argument', async () => {
    for (const [variables, field] of [
      [{ after: 'not-a-cursor' }, 'after'],
      [{ after: Buffer.from('[1,2]').toString('base64url') }, 'after'],
      [{ first: 0 }, 'first'],
      [{ first: 501 }, 'first'],
    ] as const) {
      const refused = await post(server.url, DeletionsDocument, variables, bearer(ACME_KEY));
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});
