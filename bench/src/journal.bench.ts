import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  SqliteOperationStore,
  defaultAccountLimits,
  operationKey,
  type OperationStore,
} from '@unreel/core';
import sandbox, { SandboxLibrary, sandboxSettingsSchema } from '@unreel/plugin-sandbox';
import { fmt, measure, median } from './measure.js';

const ITEMS = 100_000;
/** Measured rounds, after one warm-up round of each store that is not counted. */
const ROUNDS = 5;
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

interface Run {
  ms: number;
  rssGrowthMb: number;
  /** JS heap still reachable half-way through the operation (after a full GC), over the level before it: warm-up only. */
  heldAtHalfMb?: number;
}

interface SqliteRun extends Run {
  bytesWithWal: number;
  closeMs: number;
  bytesAfterClose: number;
}

async function deleteAll(store: OperationStore, probe = false): Promise<Run> {
  // A fresh provider (and its 100,000-video library) per run, made before measuring: what is measured is the engine
  // and the journal.
  const provider = sandbox.create(settings, { account: 'bench', fetch: globalThis.fetch, logger: silent });
  const bus = new InMemoryEventBus();
  const engine = new DeletionEngine({
    store,
    bus,
    accounts: new AccountRegistry([
      { name: 'bench', pluginId: 'sandbox', provider, limits: defaultAccountLimits(provider), deleteDelayMs: 0 },
    ]),
    options: { maxIdsPerOperation: ITEMS },
  });
  let heldAtHalfMb: number | undefined;
  if (probe) {
    // What the process holds on to half-way: a full GC in the middle of the run (which is why only warm-ups probe),
    // against the heap before it, once the previous run's leftovers (timers of its last calls) have let go.
    await new Promise((resolve) => setTimeout(resolve, 250));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const stop = bus.subscribe(operationKey('default', 'bench'), (events) => {
      if (heldAtHalfMb !== undefined || !events.some((event) => event.completed >= ITEMS / 2)) return;
      global.gc?.();
      heldAtHalfMb = (process.memoryUsage().heapUsed - before) / 1_048_576;
      stop();
    });
  }
  const measured = await measure(async () => {
    const { operation } = await engine.submit({ tenant: 'default', ids, operationId: 'bench' });
    return engine.waitForOperation('default', operation.id, 600_000);
  });
  if (measured.result.deleted !== ITEMS) throw new Error(`deleted ${measured.result.deleted} of ${ITEMS}`);
  await engine.close();
  return {
    ms: measured.ms,
    rssGrowthMb: measured.rssGrowthMb,
    ...(heldAtHalfMb === undefined ? {} : { heldAtHalfMb }),
  };
}

function inMemory(probe = false): Promise<Run> {
  return deleteAll(new InMemoryOperationStore(), probe);
}

async function sqlite(probe = false): Promise<SqliteRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bench-journal-'));
  const file = path.join(dir, 'journal.db');
  const store = new SqliteOperationStore({ path: file });
  try {
    const run = await deleteAll(store, probe);
    const bytesWithWal = bytesOf(file);
    // Closing folds the WAL into the database file: the checkpoint a running server does once the journal is quiet.
    const started = performance.now();
    await store.close();
    return { ...run, bytesWithWal, closeMs: performance.now() - started, bytesAfterClose: bytesOf(file) };
  } finally {
    await store.close(); // a no-op once closed; here for a run that failed
    rmSync(dir, { recursive: true, force: true });
  }
}

function bytesOf(file: string): number {
  return ['', '-wal', '-shm'].reduce(
    (sum, suffix) => sum + (existsSync(file + suffix) ? statSync(file + suffix).size : 0),
    0,
  );
}

export async function runJournal(): Promise<void> {
  console.log(`\n## journal: one operation of ${fmt(ITEMS)} sandbox ids, zero latency, batches of 25`);
  console.log(`(one warm-up round each, then ${ROUNDS} rounds alternating which store goes first; medians)`);
  const memoryWarmUp = await inMemory(true);
  const sqliteWarmUp = await sqlite(true);
  const memoryRuns: Run[] = [];
  const sqliteRuns: SqliteRun[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    if (round % 2 === 0) {
      memoryRuns.push(await inMemory());
      sqliteRuns.push(await sqlite());
    } else {
      sqliteRuns.push(await sqlite());
      memoryRuns.push(await inMemory());
    }
  }
  const memoryMs = median(memoryRuns.map((run) => run.ms));
  const sqliteMs = median(sqliteRuns.map((run) => run.ms));
  const memoryRate = ITEMS / (memoryMs / 1000);
  const sqliteRate = ITEMS / (sqliteMs / 1000);
  const worst = (runs: Run[], pick: (run: Run) => number) => Math.max(...runs.map(pick));
  const last = sqliteRuns.at(-1) as SqliteRun;
  const held = (run: Run) => (run.heldAtHalfMb === undefined ? 'n/a' : `${fmt(run.heldAtHalfMb, 1)} MB`);
  console.log(
    `in-memory store   ${fmt(memoryRate)} items/s  (${fmt(memoryMs)} ms; ${memoryRuns.map((run) => fmt(run.ms)).join(', ')})  peak RSS growth ${fmt(
      worst(memoryRuns, (run) => run.rssGrowthMb),
      1,
    )} MB, heap held half-way ${held(memoryWarmUp)}`,
  );
  console.log(
    `SQLite journal    ${fmt(sqliteRate)} items/s  (${fmt(sqliteMs)} ms; ${sqliteRuns.map((run) => fmt(run.ms)).join(', ')})  peak RSS growth ${fmt(
      worst(sqliteRuns, (run) => run.rssGrowthMb),
      1,
    )} MB, heap held half-way ${held(sqliteWarmUp)}`,
  );
  const checkpointMs = median(sqliteRuns.map((run) => run.closeMs));
  console.log(
    `ratio             ${fmt(sqliteRate / memoryRate, 2)}x the in-memory throughput  (target >= 0.50x; SQLite RSS growth < 200 MB); ${fmt(memoryMs / (sqliteMs + checkpointMs), 2)}x counting the checkpoint that follows`,
  );
  console.log(
    `journal on disk   ${fmt(last.bytesWithWal / 1_048_576, 1)} MB with WAL when the operation ends, ${fmt(last.bytesAfterClose / 1_048_576, 1)} MB after the checkpoint (${fmt(last.bytesAfterClose / ITEMS)} bytes per item, events included); the checkpoint took ${fmt(checkpointMs)} ms, after the operation`,
  );
}
