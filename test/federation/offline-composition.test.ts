import { readFileSync } from 'node:fs';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteVideosDocument } from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { startCatalogSubgraph, catalogTypeDefs, type CatalogSubgraph } from './catalog-subgraph.js';
import { composeSupergraph } from './compose-supergraph.js';
import { BATCHED, readyVideoIds, startFederatedUnreel } from './federated-unreel.js';
import { startGateway, type Gateway } from './start-gateway.js';

/** What `_service { sdl }` answers, committed and checked against the code by `pnpm schema:check`. */
const committedSdl = readFileSync(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');
const REFUSED = /^GraphQL introspection has been disabled, but the requested query contained the field "_service"\.$/;

let unreel: UnreelServer;
let catalog: CatalogSubgraph;
let gateway: Gateway;

describe('unreel in production (introspection off) behind a gateway composed offline', () => {
  beforeAll(async () => {
    unreel = await startFederatedUnreel({ ...process.env, NODE_ENV: 'production' });
    const featured = readyVideoIds(BATCHED, 4);
    catalog = await startCatalogSubgraph(featured);
    // The registry step done offline: the committed subgraph SDL, not a request to the running server.
    const supergraph = composeSupergraph([
      { name: 'unreel', url: unreel.url, typeDefs: parse(committedSdl) },
      { name: 'catalog', url: catalog.url, typeDefs: catalogTypeDefs },
    ]);
    gateway = await startGateway(supergraph, ['unreel']);
  });

  afterAll(async () => {
    await gateway?.close();
    await catalog?.close();
    await unreel?.close();
  });

  it('refuses `{ _service { sdl } }` like __schema, over HTTP and over WebSocket', async () => {
    const overHttp = await post(unreel.url, '{ _service { sdl } }');
    expect(overHttp.status).toBe(400);
    expect(overHttp.data ?? null).toBeNull();
    expect(overHttp.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(REFUSED),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
    const client = wsClient(unreel.wsUrl);
    try {
      const overWs = collect(client, parse('{ _service { sdl } }') as never, {});
      await expect(overWs.done).rejects.toThrow(/introspection has been disabled.*_service.*GRAPHQL_VALIDATION_FAILED/);
    } finally {
      await client.dispose();
    }
  });

  it('serves the gateway all the same: a query starting in the catalog resolves unreel’s entities, a mutation runs', async () => {
    const [doomed] = readyVideoIds(BATCHED, 1);
    const deleted = await data(gateway.url, DeleteVideosDocument, {
      input: { ids: [doomed!], operationId: 'offline-delete' },
    });
    expect(deleted.deleteVideos).toMatchObject({ id: 'offline-delete', status: 'SUCCEEDED', deleted: 1 });
    const response = await post<{ featured: { id: string; status: string; shelf: string }[] }, { first: number }>(
      gateway.url,
      print(parse('query Featured($first: Int) { featured(first: $first) { id status shelf } }')),
      { first: 4 },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.featured).toHaveLength(4);
    expect(response.data?.featured.find((video) => video.id === doomed)).toEqual({
      id: doomed,
      status: 'DELETED',
      shelf: 'archive',
    });
  });
});
