import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import {
  startSimulator,
  type AliyunVodSimulator,
  type AliyunVodSimulatorOptions,
} from '@unreel/plugin-aliyun-vod/simulator';
import { startAnswerDelayProxy, type AnswerDelayProxy } from './answer-delay-proxy.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { post } from './graphql-http.js';
import { createTestDatabase, type TestDatabase } from './postgres-database.js';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Short, so that a dead replica's work is taken over quickly; renewed every third of it. */
const LEASE_MS = 2_000;
export const POLL = { timeout: 45_000, interval: 100 };

export interface ReplicaCluster {
  database: TestDatabase;
  simulator: AliyunVodSimulator;
  proxy: AnswerDelayProxy | undefined;
  replicas: ChildServer[];
  urls: string[];
  ids: string[];
  journal: pg.Client;
  keyPrefix: string;
  /** The config file's directory, for a test's own files beside it. */
  dir: string;
  /** Each replica's config file and environment, for `restartReplicas`. */
  starts: { configFile: string; env: Record<string, string> }[];
}

export interface ReplicaClusterOptions {
  /** The simulator answers this long after it acted (a proxy in front of it). */
  answerDelayMs?: number;
  /** Which replicas claim work; one replica per entry. Default three workers. */
  workers?: boolean[];
  /** Merged into the `vod` account's settings (after the simulator's credentials and endpoint). */
  settings?: Record<string, unknown>;
  /** The `vod` account's limits. Default concurrency 3. */
  limits?: Record<string, unknown>;
  /** The account's other fields (deleteDelay, webhook, ...). */
  account?: Record<string, unknown>;
  /** The config's other top-level fields (tenants, server, ...). */
  config?: Record<string, unknown>;
  /** Default: no rate limit, every video READY and owned. */
  simulator?: AliyunVodSimulatorOptions;
  /** More environment for every replica. */
  env?: Record<string, string>;
  /** Another Redis than the machine's (a private one a test may pause). */
  redisUrl?: string;
  /** The journal's other settings (retention, ...). */
  journal?: Record<string, unknown>;
  /** `cluster.leaseMs`; default 2 s (LEASE_MS). */
  leaseMs?: number;
}

/**
 * Three (or `workers.length`) `unreel` processes (the real command) on one PostgreSQL database of their own, a Redis
 * key prefix of their own, and one ApsaraVideo simulator seeded with `videos` videos, behind a proxy that answers
 * `answerDelayMs` after the simulator acted when given. Pair it with `stopReplicaCluster` in afterEach.
 */
export async function startReplicaCluster(
  videos: number,
  options: ReplicaClusterOptions = {},
): Promise<ReplicaCluster> {
  const { answerDelayMs, workers = [true, true, true] } = options;
  const database = await createTestDatabase();
  const simulator = await startSimulator({
    videoCount: 0,
    processingRatio: 0,
    forbiddenRatio: 0,
    rateLimit: false,
    ...options.simulator,
  });
  const proxy = answerDelayMs === undefined ? undefined : await startAnswerDelayProxy(simulator.url, answerDelayMs);
  const journal = new pg.Client({ connectionString: database.url });
  await journal.connect();
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-cluster-'));
  const keyPrefix = `unreel-test:${randomUUID()}:`;
  const cluster: ReplicaCluster = {
    database,
    simulator,
    proxy,
    replicas: [],
    urls: [],
    ids: [],
    journal,
    keyPrefix,
    dir,
    starts: [],
  };
  const nativeIds = await simulator.seed(Array.from({ length: videos }, () => ({ state: 'READY' as const })));
  cluster.ids = nativeIds.map((id) => `vod:${id}`);
  for (const [index, worker] of workers.entries()) {
    const configFile = path.join(dir, `replica-${index}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({
        journal: { driver: 'postgres', url: database.url, poolSize: 4, ...options.journal },
        cluster: {
          redis: { url: options.redisUrl ?? REDIS_URL, keyPrefix },
          leaseMs: options.leaseMs ?? LEASE_MS,
          worker,
        },
        accounts: [
          {
            name: 'vod',
            plugin: '@unreel/plugin-aliyun-vod',
            settings: {
              ...simulator.credentials,
              endpoint: proxy?.url ?? simulator.url,
              requestsPerSecond: 100,
              ...options.settings,
            },
            limits: { concurrency: 3, ...options.limits },
            ...options.account,
          },
        ],
        ...options.config,
      }),
    );
    cluster.starts.push({ configFile, env: { PORT: '0', UNREEL_CONFIG: configFile, ...options.env } });
  }
  await spawnReplicas(cluster);
  return cluster;
}

/**
 * Every replica anew, all at once, from the config it started with, on the same journal and Redis prefix: a fresh set
 * of processes (as after a deploy). The ones before must have exited; `replicas` and `urls` then hold the new ones.
 */
export async function restartReplicas(cluster: ReplicaCluster): Promise<void> {
  if (cluster.replicas.some((replica) => replica.child.exitCode === null && replica.child.signalCode === null)) {
    throw new Error('restartReplicas: a replica of the cluster is still running');
  }
  await spawnReplicas(cluster);
}

async function spawnReplicas(cluster: ReplicaCluster): Promise<void> {
  cluster.replicas = cluster.starts.map(({ env }) => startChildServer(env, process.cwd()));
  try {
    cluster.urls = (await Promise.all(cluster.replicas.map((replica) => replica.listening))).map(({ url }) => url);
  } catch (error) {
    await stopReplicaCluster(cluster);
    throw error;
  }
}

/** Kills every replica still alive (stopped ones too), then closes and drops what the cluster used. */
export async function stopReplicaCluster(cluster: ReplicaCluster): Promise<void> {
  for (const replica of cluster.replicas) {
    if (replica.child.exitCode === null && replica.child.signalCode === null) {
      replica.child.kill('SIGCONT');
      replica.child.kill('SIGKILL');
      await replica.exited;
    }
  }
  await cluster.journal.end();
  await cluster.proxy?.close();
  await cluster.simulator.close();
  await cluster.database.drop();
}

const DELETION = `query ($id: ID!) { deletion(id: $id) { status total deleted pending discovery } }`;

export async function status(url: string, id: string): Promise<{ status: string; deleted: number; pending: number }> {
  const response = await post<{ deletion: { status: string; deleted: number; pending: number } | null }, unknown>(
    url,
    DELETION,
    { id },
  );
  return response.data?.deletion ?? { status: 'UNKNOWN', deleted: 0, pending: -1 };
}

/** A counter from a replica's /metrics, summed over the label sets that hold `labels`. */
export async function metric(url: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/**
 * What the journal says of one operation: its events' sequences, and how many final events each item has (every
 * item of an operation by ids has exactly one event: its outcome).
 */
export async function journaled(
  cluster: ReplicaCluster,
  id: string,
): Promise<{ sequences: number[]; finals: Map<number, number> }> {
  const { rows } = await cluster.journal.query<{ sequence: number; position: number }>(
    `SELECT e.sequence, e.position FROM events e JOIN operations o ON o.op_id = e.op_id
     WHERE o.id = $1 AND e.status IN ('DELETED', 'NOT_FOUND', 'FAILED', 'CANCELLED', 'RESTORED') ORDER BY e.sequence`,
    [id],
  );
  const finals = new Map<number, number>();
  for (const row of rows) finals.set(row.position, (finals.get(row.position) ?? 0) + 1);
  return { sequences: rows.map((row) => row.sequence), finals };
}

export async function expectEachItemFinalOnce(cluster: ReplicaCluster, id: string, total: number): Promise<void> {
  const { rows: all } = await cluster.journal.query<{ sequence: number }>(
    `SELECT e.sequence FROM events e JOIN operations o ON o.op_id = e.op_id WHERE o.id = $1 ORDER BY e.sequence`,
    [id],
  );
  // Gapless from 1, every event an item's one outcome.
  expect(all.map((row) => row.sequence)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
  const { finals } = await journaled(cluster, id);
  expect(finals.size).toBe(total);
  expect([...finals.values()].every((count) => count === 1)).toBe(true);
}

/** The pid part of a replica's lease owner (`host:pid:random`), as a LIKE pattern. */
export function owns(replica: ChildServer): string {
  return `%:${replica.child.pid}:%`;
}
