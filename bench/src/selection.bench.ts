import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  SqliteOperationStore,
  defaultAccountLimits,
} from '@unreel/core';
import type { RunningSimulator } from '@unreel/provider-kit/simulator';
import type { VideoProviderPluginV1 } from '@unreel/provider-spec';
import elytron from '@unreel/plugin-elytron';
import { startSimulator as startElytron } from '@unreel/plugin-elytron/simulator';
import omegastream from '@unreel/plugin-omegastream';
import { startSimulator as startOmegastream } from '@unreel/plugin-omegastream/simulator';
import { fmt, measure } from './measure.js';

/** Matching videos per provider; a quarter as many more that do not match (still processing). */
const MATCHING = Number(process.env['UNREEL_BENCH_SELECTION_ITEMS'] ?? 5_000);
const PAGE_SIZE = 100;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface SelectionCase {
  name: string;
  plugin: VideoProviderPluginV1<never>;
  documented: string;
  /** Requests per second the account keeps to, and the simulator enforces in a one-second window. */
  rate: number;
  start(rate: number): Promise<RunningSimulator>;
  settings(simulator: RunningSimulator): Record<string, unknown>;
}

const cases: SelectionCase[] = [
  {
    name: 'omegastream',
    plugin: omegastream as VideoProviderPluginV1<never>,
    documented: 'the simulator assumes 10/s; 50 ids a call; page-numbered listing',
    rate: 10,
    start: (rate) => startOmegastream({ videoCount: 0, rateLimit: { limit: rate, windowMs: 1_000 } }),
    settings: (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url }),
  },
  {
    name: 'elytron',
    plugin: elytron as VideoProviderPluginV1<never>,
    documented: 'Enterprise plan per minute, run as 500/s; 1 id a call; offset listing',
    rate: 500,
    start: (rate) => startElytron({ videoCount: 0, plan: 'enterprise', rateLimit: { limit: rate, windowMs: 1_000 } }),
    settings: (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url, plan: 'enterprise' }),
  },
];

async function runCase(entry: SelectionCase): Promise<void> {
  const simulator = await entry.start(entry.rate);
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bench-selection-'));
  const store = new SqliteOperationStore({ path: path.join(dir, 'journal.db') });
  try {
    const others = Math.floor(MATCHING / 4);
    // Interleaved, so every page of the listing holds both kinds.
    const states = Array.from({ length: MATCHING + others }, (_, index) =>
      index % 5 === 4 ? ('PROCESSING' as const) : ('READY' as const),
    );
    const validated = await entry.plugin.settingsSchema['~standard'].validate(entry.settings(simulator));
    if (validated.issues) throw new Error(`${entry.name}: settings invalid: ${JSON.stringify(validated.issues)}`);
    const provider = entry.plugin.create(validated.value, {
      account: 'bench',
      fetch: globalThis.fetch,
      logger: silent,
    });
    const engine = new DeletionEngine({
      store,
      bus: new InMemoryEventBus(),
      accounts: new AccountRegistry([
        {
          name: 'bench',
          pluginId: entry.plugin.id,
          provider,
          limits: defaultAccountLimits(provider, { requestsPerSecond: entry.rate }),
          deleteDelayMs: 0,
        },
      ]),
      options: { maxIdsPerOperation: MATCHING, listPageSize: PAGE_SIZE },
    });
    // The baseline, side by side: the same number of videos deleted by ids (listed beforehand, as a client would),
    // through the same engine, journal and rate; gone before the selection's library is listed.
    const baselineIds = await simulator.seed(Array.from({ length: MATCHING }, () => ({ state: 'READY' as const })));
    const baseline = await measure(async () => {
      const { operation } = await engine.submit({ tenant: 'default', ids: baselineIds.map((id) => `bench:${id}`) });
      return engine.waitForOperation('default', operation.id, 3_600_000);
    });
    const nativeIds = await simulator.seed(states.map((state) => ({ state })));
    const matching = nativeIds.filter((_, index) => states[index] === 'READY');
    simulator.resetCalls();
    const {
      result: done,
      ms,
      peakRssMb,
    } = await measure(async () => {
      const { operation } = await engine.submit({
        tenant: 'default',
        selection: { account: 'bench', statuses: ['READY'] },
        maxItems: MATCHING,
      });
      return engine.waitForOperation('default', operation.id, 3_600_000);
    });
    await engine.close();
    await provider.doClose?.();

    const served = simulator.calls();
    const listCalls = served.filter((call) => call.method === 'GET' && call.ids.length === 0).length;
    const deleteCalls = served.length - listCalls;
    const throttled = served.filter((call) => call.status === 429 || call.status === 503).length;
    // The floor: one pass over the listing and every delete call, at the account's rate.
    const floorCalls =
      Math.ceil(nativeIds.length / PAGE_SIZE) + Math.ceil(MATCHING / provider.capabilities.maxBatchSize);
    const floorMs = (floorCalls / entry.rate) * 1_000;
    const gone = matching.filter((id) => simulator.stateOf(id) !== 'PRESENT').length;
    const touched = nativeIds.filter((id, index) => states[index] !== 'READY' && simulator.stateOf(id) !== 'PRESENT');
    console.log(
      `${entry.name.padEnd(12)} ${fmt(matching.length)} of ${fmt(nativeIds.length)}  ${fmt(ms).padStart(7)} ms  ` +
        `floor ${fmt(floorMs).padStart(7)} ms (${fmt(floorCalls)} calls; ratio ${fmt(ms / floorMs, 2)}x)  ` +
        `list ${fmt(listCalls)} + delete ${fmt(deleteCalls)} calls, ${fmt(done.selection?.pass ?? 0)} passes  ` +
        `throttled ${throttled}  deleted ${fmt(done.deleted)} (gone at the provider: ${fmt(gone)}, others touched: ${touched.length})  ` +
        `peak RSS ${fmt(peakRssMb)} MB   [${entry.documented}]`,
    );
    console.log(
      `${''.padEnd(12)} baseline, the same count by ids: ${fmt(baseline.ms)} ms (deleted ${fmt(baseline.result.deleted)}, ` +
        `peak RSS ${fmt(baseline.peakRssMb)} MB); selection / ids ${fmt(ms / baseline.ms, 2)}x`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await simulator.close();
  }
}

/**
 * Delete by selection through the real engine (SQLite journal) and plugin over HTTP: discovery and deletion time
 * against the floor of one listing pass plus every delete call at the account's rate, and peak RSS.
 */
export async function runSelection(): Promise<void> {
  console.log(
    `\n## selection: ${fmt(MATCHING)} matching videos per simulator at its rate (target <= 1.15x the floor, RSS < 200 MB)`,
  );
  for (const entry of cases) await runCase(entry);
}
