import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { buildSchema, execute, parse, validate, type DocumentNode, type GraphQLError } from 'graphql';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  defaultAccountLimits,
  parseVideoId,
} from '@unreel/core';
import sandbox, { SandboxLibrary, sandboxSettingsSchema } from '@unreel/plugin-sandbox';
import { createUnreelServer } from '@unreel/server';
import { fmt, median } from './measure.js';

const VIDEOS = 1_000;
// autocannon ends an `amount` run only on its one-second tick, which quantises short runs' rates; a fixed duration does not.
const SECONDS = 4;
const CONNECTIONS = 16;
const ROUNDS = 3;
// Zero latency: what is left to measure is the GraphQL server around the same lookup.
const settings = { videoCount: VIDEOS, seed: 1, latencyMs: [0, 0], processingRatio: 0, forbiddenRatio: 0 } as const;
const ids = new SandboxLibrary(sandboxSettingsSchema.parse(settings)).order.map((id) => `bench:${id}`);
const QUERY = 'query Video($id: ID!) { video(id: $id) { id account provider nativeId title status } }';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Target {
  url: string;
  close(): Promise<void>;
}

async function startUnreel(): Promise<Target> {
  const server = await createUnreelServer({
    port: 0,
    logLevel: 'silent',
    config: {
      journal: { driver: 'memory' },
      accounts: [{ name: 'bench', plugin: '@unreel/plugin-sandbox', settings }],
    },
  });
  return { url: server.url, close: () => server.close() };
}

/**
 * The baseline: graphql-js over node:http, no framework, no DI, no DataLoader, resolving `video` with the same engine
 * lookup over the same sandbox data. `cacheDocuments` keeps each query's parsed and validated document, as Apollo
 * does; without it every request is parsed and validated afresh, as `graphql()` does.
 */
async function startPlain(cacheDocuments: boolean): Promise<Target> {
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
  });
  const schema = buildSchema(`
    enum VideoStatus { PROCESSING READY FAILED DELETED UNKNOWN }
    type Video { id: ID! account: String! provider: String! nativeId: String! title: String status: VideoStatus! }
    type Query { video(id: ID!): Video }
  `);
  const rootValue = {
    video: async ({ id }: { id: string }) => {
      const { account, nativeId } = parseVideoId(id);
      const [video] = await engine.getVideos(account, [nativeId]);
      return video
        ? { id, account, provider: 'sandbox', nativeId: video.id, title: video.title, status: video.status }
        : null;
    },
  };
  const documents = new Map<string, { document: DocumentNode; errors: readonly GraphQLError[] }>();
  const prepare = (query: string) => {
    let prepared = cacheDocuments ? documents.get(query) : undefined;
    if (!prepared) {
      const document = parse(query);
      prepared = { document, errors: validate(schema, document) };
      if (cacheDocuments) documents.set(query, prepared);
    }
    return prepared;
  };
  const server = createServer(async (request, response) => {
    const { query, variables } = JSON.parse(await readBody(request)) as {
      query: string;
      variables?: Record<string, unknown>;
    };
    const { document, errors } = prepare(query);
    const result =
      errors.length > 0
        ? { errors }
        : await execute({ schema, document, rootValue, variableValues: variables ?? null });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(result));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function ask(url: string, id: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY, variables: { id } }),
  });
  return response.json();
}

/** `seconds` of requests over `CONNECTIONS` keep-alive connections, each for the next video id; requests per second. */
async function load(url: string, seconds: number): Promise<number> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ query: QUERY, variables: { id: ids[next++ % ids.length] } }),
        }),
      },
    ],
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  }
  return result.requests.total / seconds;
}

export async function runVideoQuery(): Promise<void> {
  console.log(
    `\n## { video(id) }: unreel vs plain graphql-js + node:http, ${SECONDS} s of requests over ${CONNECTIONS} connections (${ROUNDS} rounds, medians)`,
  );
  const targets = {
    plain: await startPlain(false),
    plainCached: await startPlain(true),
    unreel: await startUnreel(),
  };
  try {
    const sample = ids[42] as string;
    const answers = await Promise.all(Object.values(targets).map((target) => ask(target.url, sample)));
    if (new Set(answers.map((answer) => JSON.stringify(answer))).size !== 1)
      throw new Error(`the servers disagree: ${JSON.stringify(answers)}`);
    for (const target of Object.values(targets)) await load(target.url, 1);
    const rates = { plain: [] as number[], plainCached: [] as number[], unreel: [] as number[] };
    // Interleaved, so a neighbour's load on the machine falls on every server alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const name of ['plain', 'plainCached', 'unreel'] as const)
        rates[name].push(await load(targets[name].url, SECONDS));
    }
    const plain = median(rates.plain);
    const plainCached = median(rates.plainCached);
    const unreel = median(rates.unreel);
    console.log(`plain graphql-js + node:http                      ${fmt(plain)} requests/s   (baseline)`);
    console.log(`plain, parsed documents cached                    ${fmt(plainCached)} requests/s`);
    console.log(
      `unreel (Apollo 5, type-graphql, subgraph, DI)     ${fmt(unreel)} requests/s   ratio ${fmt(unreel / plain, 2)}x  (target >= 0.70x), ${fmt(unreel / plainCached, 2)}x the cached baseline`,
    );
  } finally {
    for (const target of Object.values(targets)) await target.close();
  }
}
