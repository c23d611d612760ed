import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  type DeletionProgressSubscription,
} from '@unreel/client';
import { getSandboxLibrary } from '@unreel/plugin-sandbox';
import type { UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { listVideoIds, SANDBOX, startTestServer } from '../support/test-server.js';

type Progress = DeletionProgressSubscription['deletionProgress'];

let server: UnreelServer;
let ids: string[];

beforeAll(async () => {
  server = await startTestServer();
  ids = await listVideoIds(server.url, SANDBOX, 400);
});
afterAll(() => server.close());

/** unreel_subscriptions_open, as GET /metrics says. */
async function openSubscriptions(): Promise<number | undefined> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('unreel_subscriptions_open '));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('bulk delete with live progress', () => {
  it('streams one event per item, gapless 1..300, and the counts add up', async () => {
    const client = wsClient(server.wsUrl);
    const operationId = 'e2e-bulk-300';
    const chosen = ids.slice(0, 300);
    // Subscribe before the operation exists: the stream waits for it. Waited for as the server counts it, not by a
    // guess at how long a busy machine takes to open the socket.
    const stream = collect(client, DeletionProgressDocument, { operationId, after: 0 });
    await expect.poll(openSubscriptions).toBe(1);
    const deleted = await data(server.url, DeleteVideosDocument, { input: { ids: chosen, operationId, wait: true } });
    await stream.done;
    await client.dispose();

    expect(stream.results.every((result) => !result.errors)).toBe(true);
    const events = stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
    expect(events).toHaveLength(300);
    expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));
    expect(new Set(events.map((event) => event.item.videoId))).toEqual(new Set(chosen));
    expect(events.every((event) => event.item.status !== 'PENDING' && event.total === 300)).toBe(true);
    expect(events.map((event) => event.completed)).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));
    const last = events.at(-1) as Progress;
    expect(last.status).not.toBe('RUNNING');

    const result = deleted.deleteVideos;
    expect(result.pending).toBe(0);
    expect(result.deleted + result.notFound + result.failed).toBe(300);
    const byStatus = (status: string) => events.filter((event) => event.item.status === status).length;
    expect(result.deleted).toBe(byStatus('DELETED'));
    expect(result.failed).toBe(byStatus('FAILED'));
    expect(result.notFound).toBe(byStatus('NOT_FOUND'));
    // The seeded library has processing and forbidden videos: they fail with their own codes, the rest are gone.
    const failures = events.filter((event) => event.item.status === 'FAILED').map((event) => event.item.error?.code);
    expect(new Set(failures)).toEqual(new Set(['IN_PROCESSING', 'FORBIDDEN']));
    expect(result.status).toBe(result.failed > 0 ? 'PARTIALLY_FAILED' : 'SUCCEEDED');
    expect(last.status).toBe(result.status);

    const library = getSandboxLibrary(SANDBOX);
    for (const event of events) {
      const native = event.item.videoId.slice(SANDBOX.length + 1);
      expect(library?.stateOf(native)).toBe(event.item.status === 'DELETED' ? 'SOFT_DELETED' : 'PRESENT');
    }

    const again = await data(server.url, DeletionDocument, { id: operationId, first: 500 });
    expect(again.deletion?.total).toBe(300);
    expect(again.deletion?.items.edges).toHaveLength(300);
    expect(again.deletion?.items.edges.map((edge) => edge.node.videoId)).toEqual(chosen);
  });

  it('replays from `after` after a reconnect, with exactly the rest', async () => {
    const operationId = 'e2e-replay';
    const chosen = ids.slice(300, 360);
    const first = wsClient(server.wsUrl);
    const seen: Progress[] = [];
    const partial = collect(first, DeletionProgressDocument, { operationId, after: 0 }, (result) => {
      if (result.data) seen.push(result.data.deletionProgress);
    });
    await data(server.url, DeleteVideosDocument, { input: { ids: chosen, operationId, wait: true } });
    await partial.done;
    // Drop the connection as if the network went away after the 25th event, then come back with after = 25.
    await first.dispose();
    const lastSeen = 25;
    const second = wsClient(server.wsUrl);
    const rest = collect(second, DeletionProgressDocument, { operationId, after: lastSeen });
    await rest.done;
    await second.dispose();
    const replayed = rest.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
    expect(replayed.map((event) => event.sequence)).toEqual(Array.from({ length: 35 }, (_, index) => index + 26));
    expect(replayed.map((event) => event.item.videoId)).toEqual(seen.slice(25).map((event) => event.item.videoId));
  });

  it('answers a repeated operationId with the same operation and no provider call; other ids conflict', async () => {
    const operationId = 'e2e-idempotent';
    const chosen = ids.slice(360, 380);
    const library = getSandboxLibrary(SANDBOX);
    const firstResult = await data(server.url, DeleteVideosDocument, { input: { ids: chosen, operationId } });
    const callsBefore = library?.calls.length;
    const shuffled = [...chosen].reverse();
    const secondResult = await data(server.url, DeleteVideosDocument, {
      input: { ids: [...shuffled, chosen[0] as string], operationId },
    });
    expect(secondResult.deleteVideos).toEqual(firstResult.deleteVideos);
    expect(library?.calls.length).toBe(callsBefore);
    const after = await data(server.url, DeletionDocument, { id: operationId, first: 100 });
    expect(after.deletion?.items.edges.every((edge) => edge.node.attempts === 1)).toBe(true);

    const conflict = await post(server.url, DeleteVideosDocument, { input: { ids: ids.slice(380, 385), operationId } });
    expect(conflict.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(library?.calls.length).toBe(callsBefore);
  });

  it('returns at once with wait: false and finishes in the background', async () => {
    const operationId = 'e2e-nowait';
    const result = await data(server.url, DeleteVideosDocument, {
      input: { ids: ids.slice(385, 395), operationId, wait: false },
    });
    expect(result.deleteVideos.total).toBe(10);
    const client = wsClient(server.wsUrl);
    const stream = collect(client, DeletionProgressDocument, { operationId, after: 0 });
    await stream.done;
    await client.dispose();
    expect(stream.results).toHaveLength(10);
    const final = await data(server.url, DeletionDocument, { id: operationId });
    expect(final.deletion?.pending).toBe(0);
  });
});
