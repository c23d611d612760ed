import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeletionDocument,
  SelectVideosDocument,
  deleteWithProgress,
  UnreelClientError,
  watchDeletion,
  type DeletionProgressEvent,
  type RetryInfo,
} from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { data } from '../support/graphql-http.js';
import { startRestartableServer, type RestartableServer } from '../support/restartable-server.js';
import { listVideoIds, SANDBOX, startTestServer } from '../support/test-server.js';

// `@unreel/client`'s helpers, as a frontend or a script uses them, against a real server with tenants configured.
const KEY = 'client-test-key-0123456789';
let server: UnreelServer;
let ids: string[];

beforeAll(async () => {
  server = await startTestServer(
    {
      tenants: [{ name: 'acme', apiKeys: ['${CLIENT_KEY}'], accounts: [SANDBOX] }],
      server: { metrics: { enabled: false } },
    },
    { env: { ...process.env, CLIENT_KEY: KEY } },
  );
  ids = await listVideoIds(server.url, SANDBOX, 80, { authorization: `Bearer ${KEY}` });
});
afterAll(() => server.close());

const auth = {
  headers: { authorization: `Bearer ${KEY}` },
  connectionParams: { authorization: `Bearer ${KEY}` },
  webSocketImpl: WebSocket,
};
const wrongKey = 'Bearer not-the-key-at-all-000';

const sequences = (events: readonly DeletionProgressEvent[]): number[] => events.map((event) => event.sequence);
const oneTo = (n: number): number[] => Array.from({ length: n }, (_, index) => index + 1);

async function operationExists(operationId: string): Promise<boolean> {
  const found = await data(server.url, DeletionDocument, { id: operationId, first: 1 }, auth.headers);
  return found.deletion !== null;
}

describe('deleteWithProgress', () => {
  it('subscribes, deletes, and hands back every event in order with the final counts', async () => {
    const seen: DeletionProgressEvent[] = [];
    const { result, events } = await deleteWithProgress({
      url: server.url,
      ids: ids.slice(0, 60),
      operationId: 'client-60',
      onProgress: (event) => seen.push(event),
      ...auth,
    });
    expect(sequences(events)).toEqual(oneTo(60));
    expect(seen).toEqual(events);
    expect(events[0]?.__typename).toBe('DeletionProgress');
    expect(new Set(events.map((event) => event.item.videoId))).toEqual(new Set(ids.slice(0, 60)));
    expect(result).toMatchObject({ id: 'client-60', total: 60, pending: 0 });
    expect(result.deleted + result.notFound + result.failed).toBe(60);
    expect(result.status).toBe(events.at(-1)?.status);
  });

  it('is safe to call again with the same operationId: the same operation, replayed, no second deletion', async () => {
    const again = await deleteWithProgress({
      url: server.url,
      ids: ids.slice(0, 60),
      operationId: 'client-60',
      ...auth,
    });
    expect(sequences(again.events)).toEqual(oneTo(60));
    expect(again.result).toMatchObject({ id: 'client-60', total: 60, pending: 0 });
  });

  it('generates an operationId when none is given and hands it over before anything is sent', async () => {
    let started: string | undefined;
    const { result } = await deleteWithProgress({
      url: server.url,
      ids: ids.slice(66, 68),
      onStart: (operationId) => (started = operationId),
      ...auth,
    });
    expect(started).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.id).toBe(started);
  });

  it('rejects a refused request with a typed error naming the code, the field and the operation', async () => {
    const refused = await deleteWithProgress({
      url: server.url,
      ids: ['nowhere:vid-1'],
      operationId: 'client-nowhere',
      ...auth,
    }).catch((error: unknown) => error);
    expect(UnreelClientError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({
      code: 'BAD_REQUEST',
      graphqlCode: 'BAD_USER_INPUT',
      field: 'ids',
      operationId: 'client-nowhere',
      retryable: false,
      message: expect.stringContaining('Unknown account "nowhere"'),
    });
    const conflict = deleteWithProgress({ url: server.url, ids: ids.slice(60, 62), operationId: 'client-60', ...auth });
    await expect(conflict).rejects.toMatchObject({ code: 'CONFLICT', graphqlCode: 'IDEMPOTENCY_CONFLICT' });
  });

  it('fails at once, before deleting anything, when the socket is refused for good (4403)', async () => {
    for (const [operationId, keys] of [
      ['client-wrong-both', { headers: { authorization: wrongKey }, connectionParams: { authorization: wrongKey } }],
      ['client-wrong-ws', { headers: auth.headers, connectionParams: { authorization: wrongKey } }],
    ] as const) {
      const retries: RetryInfo[] = [];
      const refused = deleteWithProgress({
        url: server.url,
        ids: ids.slice(64, 66),
        operationId,
        webSocketImpl: WebSocket,
        onRetry: (info) => retries.push(info),
        ...keys,
      });
      await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN', closeCode: 4403, operationId });
      expect(retries).toEqual([]);
      expect(await operationExists(operationId)).toBe(false);
    }
  });

  it('rejects with ABORTED when the caller aborts, and names the operation so it can be resumed', async () => {
    const controller = new AbortController();
    const aborted = deleteWithProgress({
      url: server.url,
      ids: ids.slice(70, 72),
      operationId: 'client-aborted',
      signal: controller.signal,
      onStart: () => controller.abort(),
      ...auth,
    });
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED', operationId: 'client-aborted' });
  });

  it('refuses retry options out of range, naming the option', async () => {
    await expect(
      deleteWithProgress({ url: server.url, ids: ids.slice(72, 73), retry: { factor: 0.5 }, ...auth }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', field: 'retry.factor' });
  });
});

describe('deleteWithProgress by selection', () => {
  it('follows a selection while it is discovered and deleted: the previewed count, each item announced then final, to the end', async () => {
    // The sandbox's videos are a minute apart from 2025-01-01: these are its last hundred, those still READY.
    const selection = { account: SANDBOX, createdAfter: '2025-01-01T05:00:00.000Z', status: ['READY' as const] };
    const { selectVideos } = await data(server.url, SelectVideosDocument, { selection, sample: 0 }, auth.headers);
    expect(selectVideos.complete).toBe(true);
    expect(selectVideos.count).toBeGreaterThan(80);
    const { result, events } = await deleteWithProgress({
      url: server.url,
      selection,
      maxItems: 1_000,
      operationId: 'client-selection',
      ...auth,
    });
    expect(result).toMatchObject({ id: 'client-selection', total: selectVideos.count, pending: 0, discovery: 'DONE' });
    expect(result.status).not.toBe('RUNNING');
    expect(result.deleted + result.notFound + result.failed).toBe(selectVideos.count);
    expect(sequences(events)).toEqual(oneTo(events.length));
    const byItem = new Map<string, string[]>();
    for (const event of events)
      byItem.set(event.item.videoId, [...(byItem.get(event.item.videoId) ?? []), event.item.status]);
    expect(byItem.size).toBe(selectVideos.count);
    for (const statuses of byItem.values()) {
      expect(statuses[0]).toBe('PENDING');
      expect(statuses).toHaveLength(2);
    }
    // Each event gives total and discovery as the journal says when it is read: they only move forward. Watched again
    // from the start: the same events, with total and discovery as they are now.
    const totals = events.map((event) => event.total);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    const watched = await watchDeletion({ url: server.url, operationId: 'client-selection', ...auth });
    const itemOf = (event: DeletionProgressEvent) => [event.sequence, event.item.videoId, event.item.status];
    expect(watched.events.map(itemOf)).toEqual(events.map(itemOf));
    expect(watched.events.every((event) => event.total === selectVideos.count && event.discovery === 'DONE')).toBe(
      true,
    );
  });
});

describe('watchDeletion', () => {
  it('follows an existing operation from `after`: only the events not yet shown, each once, in order', async () => {
    const { events, result } = await watchDeletion({ url: server.url, operationId: 'client-60', after: 45, ...auth });
    expect(sequences(events)).toEqual(oneTo(60).slice(45));
    expect(result).toMatchObject({ id: 'client-60', total: 60, pending: 0 });
    const none = await watchDeletion({ url: server.url, operationId: 'client-60', after: 60, ...auth });
    expect(none.events).toEqual([]);
  });

  it('rejects an operation the server does not know with NOT_FOUND instead of waiting for it', async () => {
    await expect(watchDeletion({ url: server.url, operationId: 'never-made', ...auth })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      operationId: 'never-made',
    });
  });
});

describe('across a server restart (SIGKILL mid-operation, same port and journal)', () => {
  let restartable: RestartableServer;
  beforeAll(async () => {
    restartable = await startRestartableServer();
  });
  afterAll(() => restartable.close());

  it('delivers exactly 1..N once, in order, resuming from the last sequence seen, and ends with the final counts', async () => {
    const victims = await listVideoIds(restartable.url, 'sandbox', 16);
    const seen: DeletionProgressEvent[] = [];
    const retries: RetryInfo[] = [];
    const resumed: DeletionProgressEvent[] = [];
    const deleting = deleteWithProgress({
      url: restartable.url,
      ids: victims,
      operationId: 'restart-16',
      webSocketImpl: WebSocket,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      onProgress: (event) => seen.push(event),
      onRetry: (info) => retries.push(info),
    });
    await expect.poll(() => seen.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await restartable.kill();
    const atKill = seen.length;
    expect(atKill).toBeLessThan(16);
    await expect.poll(() => retries.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(retries[0]?.error).toMatchObject({ code: 'NETWORK', retryable: true });
    // A second follower, from a page reloaded while the server was away, resuming after what it had shown.
    const watching = watchDeletion({
      url: restartable.url,
      operationId: 'restart-16',
      after: atKill,
      webSocketImpl: WebSocket,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      onProgress: (event) => resumed.push(event),
    });
    await restartable.restart();
    const { result, events } = await deleting;
    expect(sequences(seen)).toEqual(oneTo(16));
    expect(events).toEqual(seen);
    expect(new Set(seen.map((event) => event.item.videoId))).toEqual(new Set(victims));
    expect(result).toMatchObject({ id: 'restart-16', total: 16, pending: 0 });
    expect(result.deleted + result.notFound + result.failed).toBe(16);
    expect(result.status).not.toBe('RUNNING');
    const watched = await watching;
    expect(sequences(watched.events)).toEqual(oneTo(16).slice(atKill));
    expect(resumed).toEqual(watched.events);
  });
});
