import { createWriteStream } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { devNull } from 'node:os';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
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

const VIDEOS = 1_000;
// Zero latency: what is left to measure is the GraphQL server around the same lookup.
const settings = { videoCount: VIDEOS, seed: 1, latencyMs: [0, 0], processingRatio: 0, forbiddenRatio: 0 } as const;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The ids every server is asked for, in the order the load generator cycles through them. */
export const videoIds = (): string[] =>
  new SandboxLibrary(sandboxSettingsSchema.parse(settings)).order.map((id) => `bench:${id}`);

export const VIDEO_QUERY = 'query Video($id: ID!) { video(id: $id) { id account provider nativeId title status } }';

export interface VideoQueryServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The servers the bench compares, by name:
 * - `unreel`: the real server, as an operator runs it: one log line per request (at info, written to the null
 *   device, so the line is built, redacted and serialised but no terminal slows it), metrics, query limits;
 * - `unreel-silent`: the same with log level silent, to show what the request log line costs;
 * - `same-stack`: Apollo Server 5 + express 5 + @apollo/subgraph with a tiny SDL, no DI, no DataLoader, no plugins;
 * - `plain`, `plain-cached`: graphql-js over node:http, every request parsed and validated afresh, or not.
 * Every one resolves `video` with the same engine lookup over the same sandbox data.
 */
export const videoQueryServers = {
  unreel: () => startUnreel('info'),
  'unreel-silent': () => startUnreel('silent'),
  'same-stack': startSameStack,
  plain: () => startPlain(false),
  'plain-cached': () => startPlain(true),
} satisfies Record<string, () => Promise<VideoQueryServer>>;

export type VideoQueryServerName = keyof typeof videoQueryServers;

async function startUnreel(logLevel: 'info' | 'silent'): Promise<VideoQueryServer> {
  const destination = createWriteStream(devNull);
  const server = await createUnreelServer({
    port: 0,
    logLevel,
    logDestination: destination,
    config: {
      journal: { driver: 'memory' },
      accounts: [{ name: 'bench', plugin: '@unreel/plugin-sandbox', settings }],
    },
  });
  return {
    url: server.url,
    async close() {
      await server.close();
      destination.end();
    },
  };
}

/** The engine over the sandbox account, without the server around it: what the baselines resolve `video` with. */
function sandboxEngine(): {
  engine: DeletionEngine;
  video(id: string): Promise<Record<string, unknown> | null>;
} {
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
  return {
    engine,
    async video(id) {
      const { account, nativeId } = parseVideoId(id);
      const [video] = await engine.getVideos(account, [nativeId]);
      return video
        ? { id, account, provider: 'sandbox', nativeId: video.id, title: video.title, status: video.status }
        : null;
    },
  };
}

const VIDEO_SDL = `
  enum VideoStatus { PROCESSING READY FAILED DELETED UNKNOWN }
  type Video @key(fields: "id") { id: ID! account: String! provider: String! nativeId: String! title: String status: VideoStatus! }
  type Query { video(id: ID!): Video }
`;

/**
 * The same stack as unreel at its most minimal: Apollo Server 5 with its defaults, mounted on express 5 with
 * express.json(), serving a subgraph schema built by @apollo/subgraph. No DI, no DataLoader, no plugin of ours.
 */
async function startSameStack(): Promise<VideoQueryServer> {
  const { engine, video } = sandboxEngine();
  const schema = buildSubgraphSchema({
    typeDefs: parse(
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])\n${VIDEO_SDL}`,
    ),
    resolvers: { Query: { video: (_root: unknown, { id }: { id: string }) => video(id) } },
  });
  const apollo = new ApolloServer({ schema });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
      await engine.close();
    },
  };
}

/**
 * graphql-js over node:http, no framework. `cacheDocuments` keeps each query's parsed and validated document, as
 * Apollo does; without it every request is parsed and validated afresh, as `graphql()` does.
 */
async function startPlain(cacheDocuments: boolean): Promise<VideoQueryServer> {
  const { engine, video } = sandboxEngine();
  const schema = buildSchema(VIDEO_SDL.replace(' @key(fields: "id")', ''));
  const rootValue = { video: ({ id }: { id: string }) => video(id) };
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
