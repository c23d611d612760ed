import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeleteVideosDocument, DeletionProgressDocument } from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { startCatalogSubgraph, catalogTypeDefs, type CatalogSubgraph } from './catalog-subgraph.js';
import { composeSupergraph, fetchSubgraphSdl } from './compose-supergraph.js';
import {
  BATCHED,
  BATCHED_LOOKUP_SIZE,
  SINGLE,
  callCount,
  lookupsSince,
  readyVideoIds,
  sandboxOf,
  startFederatedUnreel,
} from './federated-unreel.js';
import { startGateway, type Gateway } from './start-gateway.js';

const FEATURED_BATCHED = 100;
const FEATURED_SINGLE = 3;

let unreel: UnreelServer;
let catalog: CatalogSubgraph;
let gateway: Gateway;
let supergraph: string;
let featured: string[];

beforeAll(async () => {
  unreel = await startFederatedUnreel();
  featured = [
    ...sandboxOf(BATCHED)
      .order.slice(0, FEATURED_BATCHED)
      .map((id) => `${BATCHED}:${id}`),
    ...sandboxOf(SINGLE)
      .order.slice(0, FEATURED_SINGLE)
      .map((id) => `${SINGLE}:${id}`),
  ];
  catalog = await startCatalogSubgraph(featured);
  // unreel's SDL is read from the running subgraph, as a schema registry would read it.
  supergraph = composeSupergraph([
    { name: 'unreel', url: unreel.url, typeDefs: await fetchSubgraphSdl(unreel.url) },
    { name: 'catalog', url: catalog.url, typeDefs: catalogTypeDefs },
  ]);
  gateway = await startGateway(supergraph, ['unreel']);
});

afterAll(async () => {
  await gateway?.close();
  await catalog?.close();
  await unreel?.close();
});

/** What the sandbox says a video's status is right now: the truth the gateway's answer must match. */
function providerStatus(videoId: string): string {
  const [account, nativeId] = videoId.split(':') as [string, string];
  const library = sandboxOf(account);
  return library.toProviderVideo(library.videos.get(nativeId)!).status;
}

interface FeaturedData {
  featured: {
    id: string;
    status: string;
    shelf?: string;
    featuredRank: number;
    title?: string | null;
    deletion: { status: string; operationId: string } | null;
  }[];
}

describe('unreel behind Hive Gateway, composed with a catalog subgraph', () => {
  it('composes: the catalog extends Video and @requires the status it marks @external', () => {
    expect(supergraph).toMatch(/join__graph\(name: "unreel", url: "http:\/\/127\.0\.0\.1:\d+\/graphql"\)/);
    expect(supergraph).toMatch(/shelf: String! @join__field\(graph: CATALOG, requires: "status"\)/);
    // A Subscription composes (federation v2.5+): the gateway knows unreel serves it.
    expect(supergraph).toMatch(/type Subscription\s+@join__type\(graph: UNREEL\)/);
    const committed = readFileSync(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');
    expect(committed).toContain('type Video\n  @key(fields: "id")');
  });

  it('deletes through the gateway, then a query starting in the catalog resolves status and deletion through unreel', async () => {
    const doomed = readyVideoIds(BATCHED, 2).filter((id) => featured.slice(0, 10).includes(id));
    expect(doomed).toHaveLength(2);
    const deleted = await data(gateway.url, DeleteVideosDocument, {
      input: { ids: doomed, operationId: 'gateway-delete' },
    });
    expect(deleted.deleteVideos).toMatchObject({
      id: 'gateway-delete',
      status: 'SUCCEEDED',
      total: 2,
      deleted: 2,
      failed: 0,
      pending: 0,
    });
    expect(doomed.map((id) => sandboxOf(BATCHED).stateOf(id.split(':')[1]!))).toEqual(['SOFT_DELETED', 'SOFT_DELETED']);

    const response = await post<FeaturedData, { first: number }>(
      gateway.url,
      'query Featured($first: Int) { featured(first: $first) { id featuredRank title status shelf deletion { status operationId } } }',
      { first: 10 },
    );
    expect(response.errors).toBeUndefined();
    const videos = response.data?.featured ?? [];
    expect(videos.map((video) => video.id)).toEqual(featured.slice(0, 10));
    for (const [index, video] of videos.entries()) {
      const status = providerStatus(video.id);
      expect(video).toMatchObject({
        featuredRank: index + 1,
        status,
        shelf: status === 'READY' ? 'now-showing' : status === 'DELETED' ? 'archive' : 'backstage',
      });
      expect(video.title).toBe(sandboxOf(BATCHED).videos.get(video.id.split(':')[1]!)?.title);
      expect(video.deletion).toEqual(
        doomed.includes(video.id) ? { status: 'DELETED', operationId: 'gateway-delete' } : null,
      );
    }
    expect(videos.filter((video) => video.status === 'DELETED').map((video) => video.id)).toEqual(doomed);
    // @requires: the catalog got each video's status from unreel, through the gateway, before computing its shelf.
    expect(
      catalog.received.filter((reference) => doomed.includes(reference.id)).map((reference) => reference.status),
    ).toEqual(['DELETED', 'DELETED']);
  });

  it(`sends ${FEATURED_BATCHED + FEATURED_SINGLE} references to the providers as batched lookups, not one call each`, async () => {
    const beforeBatched = callCount(BATCHED);
    const beforeSingle = callCount(SINGLE);
    const journalReads = vi.spyOn(unreel.engine, 'latestDeletions');
    try {
      const response = await post<FeaturedData, { first: number }>(
        gateway.url,
        'query Featured($first: Int) { featured(first: $first) { id status deletion { status } } }',
        { first: FEATURED_BATCHED + FEATURED_SINGLE },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.featured.map((video) => [video.id, video.status])).toEqual(
        featured.map((id) => [id, providerStatus(id)]),
      );
      const batched = lookupsSince(BATCHED, beforeBatched);
      expect(batched).toHaveLength(Math.ceil(FEATURED_BATCHED / BATCHED_LOOKUP_SIZE));
      expect(batched.flatMap((call) => call.ids).sort()).toEqual(sandboxOf(BATCHED).order.slice(0, FEATURED_BATCHED));
      // A provider that looks up one id per call gets one call per video, no more.
      expect(lookupsSince(SINGLE, beforeSingle)).toHaveLength(FEATURED_SINGLE);
      expect(journalReads).toHaveBeenCalledTimes(1);
    } finally {
      journalReads.mockRestore();
    }
  });

  it('streams deletionProgress from unreel through the gateway over WebSocket, every item once, to completion', async () => {
    const ids = readyVideoIds(BATCHED, 6, 20);
    const client = wsClient(gateway.wsUrl);
    try {
      const progress = collect(client, DeletionProgressDocument, { operationId: 'gateway-progress', after: 0 });
      const started = await data(gateway.url, DeleteVideosDocument, {
        input: { ids, operationId: 'gateway-progress', wait: false },
      });
      expect(started.deleteVideos.total).toBe(6);
      await progress.done;
      expect(progress.results.every((result) => result.errors === undefined)).toBe(true);
      const events = progress.results.map((result) => result.data!.deletionProgress);
      expect(events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(events.map((event) => event.item.videoId).sort()).toEqual([...ids].sort());
      expect(events.every((event) => event.item.status === 'DELETED')).toBe(true);
      expect(events.at(-1)).toMatchObject({
        operationId: 'gateway-progress',
        completed: 6,
        total: 6,
        status: 'SUCCEEDED',
      });
    } finally {
      await client.dispose();
    }
  });
});
