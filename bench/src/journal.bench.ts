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
  type OperationStore,
} from '@unreel/core';
import sandbox, { SandboxLibrary, sandboxSettingsSchema } from '@unreel/plugin-sandbox';
import { fmt, measure } from './measure.js';

const ITEMS = 100_000;
const settings = sandboxSettingsSchema.parse({ videoCount: ITEMS, seed: 1, latencyMs: [0, 0], batchSize: 25, processingRatio: 0, forbiddenRatio: 0 });
const ids = new SandboxLibrary(settings).order.map((id) => `bench:${id}`);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function freshProvider() {
  return sandbox.create(settings, { account: 'bench', fetch: globalThis.fetch, logger: silent });
}

async function deleteAll(store: OperationStore, provider: ReturnType<typeof freshProvider>): Promise<void> {
  const engine = new DeletionEngine({
    store,
    bus: new InMemoryEventBus(),
    accounts: new AccountRegistry([{ name: 'bench', pluginId: 'sandbox', provider, limits: defaultAccountLimits(provider), deleteDelayMs: 0 }]),
    options: { maxIdsPerOperation: ITEMS },
  });
  const { operation } = await engine.submit({ tenant: 'default', ids });
  const done = await engine.waitForOperation('default', operation.id, 600_000);
  if (done.deleted !== ITEMS) throw new Error(`deleted ${done.deleted} of ${ITEMS}`);
  await engine.close();
}

function bytesOf(file: string): number {
  return ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (existsSync(file + suffix) ? statSync(file + suffix).size : 0), 0);
}

export async function runJournal(): Promise<void> {
  console.log(`\n## journal: one operation of ${fmt(ITEMS)} sandbox ids, zero latency, batches of 25`);
  // Each provider (and its 100,000-video library) exists before measuring: what is measured is the engine and journal.
  const memoryProvider = freshProvider();
  const memory = await measure(() => deleteAll(new InMemoryOperationStore(), memoryProvider));
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bench-journal-'));
  const file = path.join(dir, 'journal.db');
  const store = new SqliteOperationStore({ path: file });
  const sqliteProvider = freshProvider();
  const sqlite = await measure(() => deleteAll(store, sqliteProvider));
  const bytes = bytesOf(file);
  await store.close();
  const bytesAfterCheckpoint = bytesOf(file);
  rmSync(dir, { recursive: true, force: true });
  const memoryRate = ITEMS / (memory.ms / 1000);
  const sqliteRate = ITEMS / (sqlite.ms / 1000);
  console.log(`in-memory store   ${fmt(memoryRate)} items/s  (${fmt(memory.ms)} ms)  RSS growth ${fmt(memory.rssGrowthMb, 1)} MB`);
  console.log(`SQLite journal    ${fmt(sqliteRate)} items/s  (${fmt(sqlite.ms)} ms)  RSS growth ${fmt(sqlite.rssGrowthMb, 1)} MB   ratio ${fmt(sqliteRate / memoryRate, 2)}x  (target >= 0.50x, RSS < 200 MB)`);
  console.log(`journal on disk   ${fmt(bytes / 1_048_576, 1)} MB with WAL, ${fmt(bytesAfterCheckpoint / 1_048_576, 1)} MB after close (${fmt(bytesAfterCheckpoint / ITEMS)} bytes per item, events included)`);
}
