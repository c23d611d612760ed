import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresOperationStore } from '@unreel/cluster';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  SqliteOperationStore,
  defaultAccountLimits,
  type LearnedRateStore,
  type OperationStore,
} from '@unreel/core';
import sandbox, { SandboxLibrary, sandboxSettingsSchema } from '@unreel/plugin-sandbox';
import pg from 'pg';
import { fmt, measure, median } from './measure.js';

const ITEMS = 20_000;
/** Measured rounds, after one warm-up round of each journal that is not counted. */
const ROUNDS = 3;
/** The machine's PostgreSQL (trust auth); the bench makes a database of its own there and drops it after. */
const ADMIN_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const settings = sandboxSettingsSchema.parse({
  videoCount: ITEMS,
  seed: 1,
  latencyMs: [0, 0],
  batchSize: 25,
  processingRatio: 0,
  forbiddenRatio: 0,
});
const ids = new SandboxLibrary(settings).order.map((id) => `bench:${id}`);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** One operation of every id through the engine, from submit until it is finished; milliseconds. */
async function deleteAll(store: OperationStore & LearnedRateStore): Promise<number> {
  const provider = sandbox.create(settings, { account: 'bench', fetch: globalThis.fetch, logger: silent });
  const engine = new DeletionEngine({
    store,
    rates: store,
    bus: new InMemoryEventBus(),
    accounts: new AccountRegistry([
      { name: 'bench', pluginId: 'sandbox', provider, limits: defaultAccountLimits(provider), deleteDelayMs: 0 },
    ]),
    options: { maxIdsPerOperation: ITEMS },
  });
  const measured = await measure(async () => {
    const { operation } = await engine.submit({ tenant: 'default', ids, operationId: 'bench' });
    return engine.waitForOperation('default', operation.id, 600_000);
  });
  if (measured.result.deleted !== ITEMS) throw new Error(`deleted ${measured.result.deleted} of ${ITEMS}`);
  await engine.close();
  return measured.ms;
}

async function sqlite(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bench-journal-'));
  const store = new SqliteOperationStore({ path: path.join(dir, 'journal.db') });
  try {
    return await deleteAll(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each round on a schema of its own, so every round starts from empty tables, as the SQLite round does. */
async function postgres(url: string, round: number): Promise<number> {
  const store = await PostgresOperationStore.open({ url, schema: `bench_${round}`, poolSize: 10 });
  try {
    return await deleteAll(store);
  } finally {
    await store.close();
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

export async function runJournalPostgres(): Promise<void> {
  console.log(`\n## journal-postgres: one operation of ${fmt(ITEMS)} sandbox ids, zero latency, batches of 25`);
  console.log(
    `(PostgreSQL at ${new URL(ADMIN_URL).host} against SQLite in the OS temp folder; one warm-up round each,`,
  );
  console.log(` then ${ROUNDS} rounds alternating which journal goes first; medians)`);
  const name = `unreel_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    let round = 0;
    await postgres(url.toString(), round);
    await sqlite();
    const pgRuns: number[] = [];
    const sqliteRuns: number[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      round += 1;
      if (index % 2 === 0) {
        pgRuns.push(await postgres(url.toString(), round));
        sqliteRuns.push(await sqlite());
      } else {
        sqliteRuns.push(await sqlite());
        pgRuns.push(await postgres(url.toString(), round));
      }
    }
    const pgMs = median(pgRuns);
    const sqliteMs = median(sqliteRuns);
    const pgRate = ITEMS / (pgMs / 1000);
    const sqliteRate = ITEMS / (sqliteMs / 1000);
    const runs = (list: number[]) => list.map((ms) => fmt(ms)).join(', ');
    console.log(`SQLite journal      ${fmt(sqliteRate)} items/s  (${fmt(sqliteMs)} ms; ${runs(sqliteRuns)})  baseline`);
    console.log(
      `PostgreSQL journal  ${fmt(pgRate)} items/s  (${fmt(pgMs)} ms; ${runs(pgRuns)})  ${fmt(pgRate / sqliteRate, 2)}x SQLite  (target >= 5,000 items/s)`,
    );
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
