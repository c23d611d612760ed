import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DeleteVideosDocument, DeletionProgressDocument } from '@unreel/client';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  defaultAccountLimits,
} from '@unreel/core';
import sandbox, { SandboxLibrary, sandboxSettingsSchema } from '@unreel/plugin-sandbox';
import { createUnreelServer } from '@unreel/server';
import { fmt, measure, median } from './measure.js';

const ITEMS = 10_000;
const ROUNDS = 3;
// Zero latency and no rate limit: what is left to measure is unreel itself.
const settings = {
  videoCount: ITEMS,
  seed: 1,
  latencyMs: [0, 0],
  batchSize: 25,
  processingRatio: 0,
  forbiddenRatio: 0,
} as const;
const ids = new SandboxLibrary(settings).order.map((id) => `bench:${id}`);

const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function direct(): Promise<void> {
  const provider = sandbox.create(sandboxSettingsSchema.parse(settings), {
    account: 'bench',
    fetch: globalThis.fetch,
    logger: silent,
  });
  const engine = new DeletionEngine({
    store: new InMemoryOperationStore(),
    bus: new InMemoryEventBus(),
    accounts: new AccountRegistry([
      { name: 'bench', pluginId: 'sandbox', provider, limits: defaultAccountLimits(provider), deleteDelayMs: 0 },
    ]),
    options: { maxIdsPerOperation: ITEMS },
  });
  const { operation } = await engine.submit({ tenant: 'default', ids });
  const done = await engine.waitForOperation('default', operation.id, 120_000);
  if (done.deleted !== ITEMS) throw new Error(`direct run deleted ${done.deleted} of ${ITEMS}`);
  await engine.close();
}

async function throughGraphQL(): Promise<{
  mutationMs: number;
  deliveredMs: number;
  events: number;
  eventWindowMs: number;
}> {
  const server = await createUnreelServer({
    port: 0,
    logLevel: 'silent',
    config: {
      journal: { driver: 'memory' },
      server: { maxIdsPerOperation: ITEMS, deleteWaitMs: 120_000 },
      accounts: [{ name: 'bench', plugin: '@unreel/plugin-sandbox', settings }],
    },
  });
  const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  const operationId = `bench-${Date.now()}`;
  let events = 0;
  let firstEventAt = 0;
  let lastEventAt = 0;
  try {
    const delivered = new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: print(DeletionProgressDocument), variables: { operationId, after: 0 } },
        {
          next: () => {
            lastEventAt = performance.now();
            if (events === 0) firstEventAt = lastEventAt;
            events += 1;
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    // Let the subscription reach the server before the mutation, as a frontend would.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: print(DeleteVideosDocument),
        variables: { input: { ids, operationId, wait: true } },
      }),
    });
    const body = (await response.json()) as { data?: { deleteVideos: { deleted: number } } };
    const mutationMs = performance.now() - started;
    if (body.data?.deleteVideos.deleted !== ITEMS)
      throw new Error(`GraphQL run answered ${JSON.stringify(body).slice(0, 300)}`);
    await delivered;
    return { mutationMs, deliveredMs: lastEventAt - started, events, eventWindowMs: lastEventAt - firstEventAt };
  } finally {
    await client.dispose();
    await server.close();
  }
}

export async function runGraphQLVsEngine(): Promise<void> {
  console.log(
    `\n## deleteVideos: ${fmt(ITEMS)} sandbox videos, zero latency, no rate limit (${ROUNDS} rounds, medians)`,
  );
  await direct();
  await throughGraphQL();
  const directRuns: { ms: number; rss: number }[] = [];
  const graphqlRuns: {
    mutationMs: number;
    deliveredMs: number;
    eventsPerSecond: number;
    events: number;
    rss: number;
  }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const d = await measure(direct);
    directRuns.push({ ms: d.ms, rss: d.rssGrowthMb });
    const g = await measure(throughGraphQL);
    graphqlRuns.push({
      mutationMs: g.result.mutationMs,
      deliveredMs: g.result.deliveredMs,
      events: g.result.events,
      eventsPerSecond: g.result.events / (g.result.deliveredMs / 1000),
      rss: g.rssGrowthMb,
    });
  }
  const directMs = median(directRuns.map((run) => run.ms));
  const graphqlMs = median(graphqlRuns.map((run) => run.mutationMs));
  const deliveredMs = median(graphqlRuns.map((run) => run.deliveredMs));
  const directRate = ITEMS / (directMs / 1000);
  const graphqlRate = ITEMS / (graphqlMs / 1000);
  const deliveredRate = ITEMS / (deliveredMs / 1000);
  const events = Math.min(...graphqlRuns.map((run) => run.events));
  console.log(`engine directly            ${fmt(directRate)} items/s  (${fmt(directMs)} ms)`);
  console.log(
    `GraphQL mutation (wait)    ${fmt(graphqlRate)} items/s  (${fmt(graphqlMs)} ms)   ratio ${fmt(graphqlRate / directRate, 2)}x  (target >= 0.80x)`,
  );
  console.log(
    `GraphQL incl. last event   ${fmt(deliveredRate)} items/s  (${fmt(deliveredMs)} ms)   ratio ${fmt(deliveredRate / directRate, 2)}x`,
  );
  console.log(
    `subscriber                 ${fmt(median(graphqlRuns.map((run) => run.eventsPerSecond)))} item events/s delivered, ${fmt(events)} of ${fmt(ITEMS)} events  (target >= 10,000/s)`,
  );
  console.log(
    `peak RSS growth            direct ${fmt(Math.max(...directRuns.map((run) => run.rss)), 1)} MB, GraphQL ${fmt(Math.max(...graphqlRuns.map((run) => run.rss)), 1)} MB  (target < 150 MB)`,
  );
}
