import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { fmt, median } from './measure.js';

const ADMIN_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const UNREEL = fileURLToPath(new URL('../../packages/server/dist/bin/unreel.js', import.meta.url));
const ACCOUNTS = 8;
/** Each account's provider limit (a rolling second, as the simulator counts it), which unreel is also given. */
const RATE = 5;
const CONCURRENCY = 4;
/** ApsaraVideo deletes 20 ids a call. */
const IDS_PER_CALL = 20;
/** Five seconds' worth of calls per account at the rate. */
const CALLS_PER_ACCOUNT = 25;
const THEORETICAL = ACCOUNTS * RATE * IDS_PER_CALL;
/** The takeover runs' lease; a worker with nothing to claim asks again every 250 ms (LeaseWorker's idleMs). */
const LEASE_MS = 2_000;
const IDLE_MS = 250;
const TAKEOVER_ROUNDS = 3;

interface Replica {
  child: ChildProcess;
  url: string;
}

interface Setup {
  database: string;
  journal: pg.Client;
  simulators: AliyunVodSimulator[];
  replicas: Replica[];
  ids: string[];
  close(): Promise<void>;
}

export async function runCluster(): Promise<void> {
  console.log('\n## cluster');
  console.log(
    `${ACCOUNTS} ApsaraVideo simulators at ${RATE} calls/s each (rolling second), concurrency ${CONCURRENCY}, ` +
      `one operation of ${fmt(ACCOUNTS * CALLS_PER_ACCOUNT * IDS_PER_CALL)} ids (${CALLS_PER_ACCOUNT} calls an account), ` +
      `unreel processes on one PostgreSQL journal and Redis; theoretical ${fmt(THEORETICAL)} items/s:`,
  );
  console.log(
    '| replicas | items/s (submit to SUCCEEDED) | vs theoretical | steady calls/s per account (median) | submit to first call, ms (soonest-latest account) | last call to SUCCEEDED, ms | most calls in a rolling second | throttled | calls |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const order of ['grouped', 'interleaved'] as const) {
    for (const replicas of [1, 2, 3]) {
      const run = await throughput(replicas, order);
      console.log(
        `| ${replicas}, ids ${order} | ${fmt(run.itemsPerSecond)} | ${fmt(run.itemsPerSecond / THEORETICAL, 2)}× | ` +
          `${fmt(run.steady, 1)} (${fmt(run.steady / RATE, 2)}×) | ${run.firstCallMs.map((ms) => fmt(ms)).join('–')} | ` +
          `${run.afterLastCallMs.map((ms) => fmt(ms)).join('–')} | ${run.mostInASecond} (limit ${RATE}) | ${run.throttled} | ${run.actions} |`,
      );
    }
  }
  console.log(
    `\nSIGKILL of one of 3 replicas mid-operation (leaseMs ${fmt(LEASE_MS)}, idle claim poll ${IDLE_MS} ms), ` +
      `${TAKEOVER_ROUNDS} rounds: time until another replica holds (or finished) the first, and every, chunk the dead one held:`,
  );
  const first: number[] = [];
  const all: number[] = [];
  for (let round = 0; round < TAKEOVER_ROUNDS; round += 1) {
    const run = await takeover();
    first.push(run.firstMs);
    all.push(run.allMs);
  }
  const runs = (list: number[]): string => list.map((ms) => fmt(ms)).join(', ');
  console.log(
    `| first chunk taken over | ${fmt(median(first))} ms (${runs(first)}) | bound lease + poll ${fmt(LEASE_MS + IDLE_MS)} ms |`,
  );
  console.log(`| every chunk taken over | ${fmt(median(all))} ms (${runs(all)}) | |`);
}

async function throughput(
  count: number,
  order: IdOrder,
): Promise<{
  itemsPerSecond: number;
  steady: number;
  /** From the submit to each account's first call: the soonest and the latest account. */
  firstCallMs: [number, number];
  /** From each account's last call to SUCCEEDED: the shortest and the longest. */
  afterLastCallMs: [number, number];
  mostInASecond: number;
  throttled: number;
  actions: string;
}> {
  const setup = await startReplicas(count, 15_000);
  try {
    for (const simulator of setup.simulators) simulator.resetCalls();
    const started = performance.now();
    // The simulators stamp arrivals with Date.now(): where the time beyond the limits went, start or end.
    const startedAt = Date.now();
    await submit(setup, 'bench', order);
    await waitFor(async () => (await operationStatus(setup, 'bench')) === 'SUCCEEDED', 20);
    const ms = performance.now() - started;
    const endedAt = Date.now();
    const firstCalls: number[] = [];
    const lastCalls: number[] = [];
    let throttled = 0;
    let mostInASecond = 0;
    const steady: number[] = [];
    const actions = new Map<string, number>();
    for (const simulator of setup.simulators) {
      // Every action counts against the quota, as VOD counts it.
      const served = simulator.calls();
      for (const call of served) {
        const action = String(call.query['Action'] ?? call.method);
        actions.set(action, (actions.get(action) ?? 0) + 1);
      }
      throttled += served.filter((call) => call.status !== 200).length;
      const arrivals = served.map((call) => call.at).toSorted((a, b) => a - b);
      firstCalls.push((arrivals[0] as number) - startedAt);
      lastCalls.push(endedAt - (arrivals.at(-1) as number));
      let first = 0;
      for (let last = 0; last < arrivals.length; last += 1) {
        while ((arrivals[last] as number) - (arrivals[first] as number) >= 1_000) first += 1;
        mostInASecond = Math.max(mostInASecond, last - first + 1);
      }
      // After the first second's burst, which a rolling window allows at once.
      const span = (arrivals.at(-1) as number) - (arrivals[RATE - 1] as number);
      steady.push(((arrivals.length - RATE) * 1_000) / span);
    }
    return {
      itemsPerSecond: (setup.ids.length * 1_000) / ms,
      steady: median(steady),
      firstCallMs: [Math.min(...firstCalls), Math.max(...firstCalls)],
      afterLastCallMs: [Math.min(...lastCalls), Math.max(...lastCalls)],
      mostInASecond,
      throttled,
      actions: [...actions].map(([action, calls]) => `${action} ${calls}`).join(', '),
    };
  } finally {
    await setup.close();
  }
}

async function takeover(): Promise<{ firstMs: number; allMs: number }> {
  const setup = await startReplicas(3, LEASE_MS);
  try {
    await submit(setup, 'takeover');
    const victim = setup.replicas[1] as Replica;
    const owner = `%:${victim.child.pid}:%`;
    // Killed once it holds chunks that are not done.
    let held: string[] = [];
    await waitFor(async () => {
      const { rows } = await setup.journal.query<{ chunk_id: string }>(
        `SELECT chunk_id FROM chunks WHERE lease_owner LIKE $1 AND NOT done AND lease_expires > now()`,
        [owner],
      );
      held = rows.map((row) => row.chunk_id);
      return held.length > 0;
    }, 5);
    const exited = new Promise((resolve) => victim.child.once('exit', resolve));
    victim.child.kill('SIGKILL');
    const killedAt = performance.now();
    await exited;
    let firstMs: number | undefined;
    await waitFor(async () => {
      const { rows } = await setup.journal.query<{ taken: boolean }>(
        `SELECT done OR lease_owner NOT LIKE $2 AS taken FROM chunks WHERE chunk_id = ANY($1::bigint[])`,
        [held, owner],
      );
      const taken = rows.filter((row) => row.taken).length;
      if (taken > 0) firstMs ??= performance.now() - killedAt;
      return taken === held.length;
    }, 5);
    const allMs = performance.now() - killedAt;
    await waitFor(async () => (await operationStatus(setup, 'takeover')) === 'SUCCEEDED', 50);
    return { firstMs: firstMs ?? allMs, allMs };
  } finally {
    await setup.close();
  }
}

async function startReplicas(count: number, leaseMs: number): Promise<Setup> {
  const database = `unreel_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const journal = new pg.Client({ connectionString: url.toString() });
  await journal.connect();
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bench-cluster-'));
  const keyPrefix = `unreel-bench:${randomUUID()}:`;
  const simulators: AliyunVodSimulator[] = [];
  const replicas: Replica[] = [];
  const close = async (): Promise<void> => {
    for (const replica of replicas) {
      if (replica.child.exitCode !== null || replica.child.signalCode !== null) continue;
      const exited = new Promise((resolve) => replica.child.once('exit', resolve));
      replica.child.kill('SIGKILL');
      await exited;
    }
    await journal.end();
    for (const simulator of simulators) await simulator.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  };
  try {
    const ids: string[] = [];
    for (let account = 0; account < ACCOUNTS; account += 1) {
      const simulator = await startSimulator({
        videoCount: 0,
        processingRatio: 0,
        forbiddenRatio: 0,
        rateLimit: { limit: RATE, windowMs: 1_000, rolling: true },
      });
      simulators.push(simulator);
      const seeded = await simulator.seed(
        Array.from({ length: CALLS_PER_ACCOUNT * IDS_PER_CALL }, () => ({ state: 'READY' as const })),
      );
      ids.push(...seeded.map((id) => `vod${account}:${id}`));
    }
    const configFile = path.join(dir, 'unreel.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        journal: { driver: 'postgres', url: url.toString(), poolSize: 10 },
        cluster: { redis: { url: REDIS_URL, keyPrefix }, leaseMs, worker: true },
        accounts: simulators.map((simulator, account) => ({
          name: `vod${account}`,
          plugin: '@unreel/plugin-aliyun-vod',
          settings: { ...simulator.credentials, endpoint: simulator.url, requestsPerSecond: RATE },
          limits: { concurrency: CONCURRENCY },
        })),
      }),
    );
    for (let index = 0; index < count; index += 1) {
      const child = spawn(process.execPath, [UNREEL], {
        env: { ...process.env, UNREEL_CONFIG: configFile, PORT: '0', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      replicas.push({ child, url: await listening(child) });
    }
    return { database, journal, simulators, replicas, ids, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`unreel exited with ${code} before it listened`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
  });
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`${url}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * `grouped`: every id of vod0, then of vod1...; `interleaved`: one id of each account in turn. The operation's chunks
 * are numbered in the order of its ids, and a claim takes the lowest open chunk of the operation.
 */
type IdOrder = 'grouped' | 'interleaved';

function ordered(setup: Setup, order: IdOrder): string[] {
  if (order === 'grouped') return setup.ids;
  const perAccount = CALLS_PER_ACCOUNT * IDS_PER_CALL;
  return Array.from({ length: setup.ids.length }, (_, index) => {
    const account = index % ACCOUNTS;
    return setup.ids[account * perAccount + Math.floor(index / ACCOUNTS)] as string;
  });
}

async function submit(setup: Setup, operationId: string, order: IdOrder = 'grouped'): Promise<void> {
  await graphql(
    (setup.replicas[0] as Replica).url,
    'mutation ($ids: [ID!], $operationId: ID) { deleteVideos(input: { ids: $ids, operationId: $operationId, wait: false }) { id } }',
    {
      ids: ordered(setup, order),
      operationId,
    },
  );
}

async function operationStatus(setup: Setup, id: string): Promise<string | undefined> {
  const data = await graphql<{ deletion: { status: string } | null }>(
    (setup.replicas[0] as Replica).url,
    'query ($id: ID!) { deletion(id: $id) { status } }',
    { id },
  );
  return data.deletion?.status;
}

async function waitFor(condition: () => Promise<boolean>, everyMs: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('cluster bench: gave up waiting after 120 s');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
