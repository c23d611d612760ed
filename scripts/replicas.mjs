#!/usr/bin/env node
// Three unreel replicas on PostgreSQL and Redis behind Hive Gateway, on one machine: see README "Running several
// replicas". Needs `pnpm build` first. Stops everything it started on Ctrl-C (SIGINT) or SIGTERM.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import { createGatewayRuntime, getGraphQLWSOptions } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { buildGraphQLWSExecutor } from '@graphql-tools/executor-graphql-ws';
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';

const root = fileURLToPath(new URL('..', import.meta.url));
const usage = `usage: node scripts/replicas.mjs [--port 4000] [--database unreel_replicas] [--videos 1000]
  PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; the database
  --database is created on it if missing. Redis: REDIS_URL (default redis://127.0.0.1:6379).
  Gateway on --port, replicas on the next three ports, the ApsaraVideo simulator on the one after
  (--port 0: any free ports).`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4000' },
    database: { type: 'string', default: 'unreel_replicas' },
    videos: { type: 'string', default: '1000' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const basePort = integer('--port', values.port, 0, 65_531);
const videos = integer('--videos', values.videos, 0, 1_000_000);
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(values.database))
  fail(`--database: "${values.database}" is not a plain lower-case PostgreSQL name`);
const portAt = (offset) => (basePort === 0 ? 0 : basePort + offset);
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const children = [];
let gateway;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  await gateway?.close();
  // Replicas first, with SIGTERM: each hands its leases back before it exits.
  for (const child of children.toReversed()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  const databaseUrl = await ensureDatabase(serverUrl, values.database);
  const simulator = await startChild(
    'simulator',
    [
      path.join(root, 'packages/provider-testkit/dist/bin/simulate.js'),
      'aliyun-vod',
      '--videos',
      String(videos),
      '--port',
      String(portAt(4)),
    ],
    {},
    (line) => {
      const printed = JSON.parse(line);
      return typeof printed.url === 'string' ? printed : undefined;
    },
  );
  const stateDir = path.join(root, '.unreel', 'replicas');
  mkdirSync(stateDir, { recursive: true });
  const configFile = path.join(stateDir, 'unreel.config.json');
  writeFileSync(
    configFile,
    `${JSON.stringify(
      {
        journal: { driver: 'postgres', url: databaseUrl, poolSize: 10 },
        cluster: { redis: { url: redisUrl, keyPrefix: `unreel:${values.database}:` }, leaseMs: 15_000, worker: true },
        accounts: [
          {
            name: 'vod',
            plugin: '@unreel/plugin-aliyun-vod',
            settings: { ...simulator.credentials, endpoint: simulator.url },
          },
        ],
      },
      null,
      2,
    )}\n`,
  );
  const replicas = await Promise.all(
    [1, 2, 3].map((offset) =>
      startChild(
        `replica ${offset}`,
        [path.join(root, 'packages/server/dist/bin/unreel.js')],
        { UNREEL_CONFIG: configFile, PORT: String(portAt(offset)), LOG_LEVEL: 'info' },
        (line) => {
          const entry = JSON.parse(line);
          return typeof entry.url === 'string' ? entry.url : undefined;
        },
      ),
    ),
  );
  gateway = await startGateway(replicas, portAt(0));
  console.log(
    JSON.stringify({
      gateway: gateway.url,
      replicas,
      simulator: simulator.url,
      database: values.database,
      configFile,
      videoIds: simulator.videoIds.slice(0, 5).map((id) => `vod:${id}`),
    }),
  );
  console.error(`unreel: 3 replicas behind Hive Gateway at ${gateway.url} (Ctrl-C stops them all)`);
} catch (error) {
  console.error(`replicas: ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}

/** Creates the database on the server `serverUrl` names unless it exists; answers its URL. */
async function ensureDatabase(url, name) {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    const where = new URL(url);
    throw new Error(`DATABASE_URL: cannot reach postgres://${where.host}${where.pathname}: ${error.message}`, {
      cause: error,
    });
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  return databaseUrl.toString();
}

/** Spawns `node args`, resolving with what `ready` makes of the first stdout line it understands. */
function startChild(name, args, env, ready) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`${name} exited (${signal ?? code}) before it was ready`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let value;
      try {
        value = ready(line);
      } catch {
        // not a JSON log line
      }
      if (value !== undefined) resolve(value);
    });
  });
}

/**
 * Hive Gateway with unreel as one subgraph served by every replica: Hive Gateway takes one URL per subgraph, so the
 * gateway itself takes turns between replicas for each upstream request (HTTP) and upstream socket (subscriptions).
 * Its upstream graphql-ws client does not reconnect by itself: a reconnect would subscribe again with the variables
 * of the first subscribe and replay from the client's first `after`. A socket lost with its replica fails the
 * client's subscription, and the client subscribes again from the last sequence it saw.
 */
async function startGateway(replicas, port) {
  const typeDefs = parse(readFileSync(path.join(root, 'schema/subgraph.graphql'), 'utf8'));
  const composed = composeServices([{ name: 'unreel', url: replicas[0], typeDefs }]);
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  let turn = 0;
  const pick = () => replicas[turn++ % replicas.length];
  const upstream = createClient({
    url: () => pick().replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
  });
  const subscriptions = buildGraphQLWSExecutor(upstream);
  const runtime = createGatewayRuntime({
    supergraph: composed.supergraphSdl,
    logging: 'warn',
    transports: { http: httpTransport, ws: { getSubgraphExecutor: () => subscriptions } },
    transportEntries: { unreel: { options: { subscriptions: { kind: 'ws', location: '/graphql' } } } },
    plugins: () => [
      {
        onFetch({ url, setURL }) {
          if (replicas.includes(url)) setURL(pick());
        },
      },
    ],
    // Queries only: a mutation that reached a replica which died before answering may have been acted on.
    upstreamRetry: ({ executionRequest }) =>
      executionRequest.operationType === 'query' ? { maxRetries: replicas.length, retryDelay: 100 } : undefined,
  });
  const server = createServer(runtime);
  const wsServer = new WebSocketServer({ server, path: runtime.graphqlEndpoint });
  const wsCleanup = useServer(
    getGraphQLWSOptions(runtime, (ctx) => ({
      req: ctx.extra.request,
      socket: ctx.extra.socket,
      request: new runtime.fetchAPI.Request(`http://gateway${ctx.extra.request.url ?? '/graphql'}`),
    })),
    wsServer,
  );
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}${runtime.graphqlEndpoint}`,
    async close() {
      await wsCleanup.dispose();
      await upstream.dispose();
      await runtime.dispose();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function integer(flag, text, min, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${flag}: "${text}" is not a whole number ${min}..${max}`);
  return value;
}

function fail(message) {
  console.error(`replicas: ${message}\n${usage}`);
  process.exit(1);
}
