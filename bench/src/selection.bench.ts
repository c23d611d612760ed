import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startSimulator as startAliyunVod } from '@unreel/plugin-aliyun-vod/simulator';
import { startSimulator as startApiVideo } from '@unreel/plugin-api-video/simulator';
import { startSimulator as startElytron } from '@unreel/plugin-elytron/simulator';
import { startSimulator as startFastPix } from '@unreel/plugin-fastpix/simulator';
import { startSimulator as startOmegastream } from '@unreel/plugin-omegastream/simulator';
import type { RecordedCall, RunningSimulator } from '@unreel/provider-kit/simulator';
import type { SelectionChildConfig, SelectionChildResult } from './selection-engine-child.js';
import { fmt } from './measure.js';

/** Matching videos per simulator; a quarter as many more that do not match (still processing). */
const MATCHING = Number(process.env['UNREEL_BENCH_SELECTION_ITEMS'] ?? 20_000);
/** Matching videos on the sandbox, whose library lives in the engine's process. */
const SANDBOX_MATCHING = Number(process.env['UNREEL_BENCH_SELECTION_SANDBOX_ITEMS'] ?? 100_000);
const PAGE_SIZE = 100;
const CHILD = fileURLToPath(new URL('./selection-engine-child.js', import.meta.url));
const TARGET_RSS_MB = 200;

interface SimulatorCase {
  name: string;
  plugin: string;
  documented: string;
  /** Requests per second the account keeps to, and the simulator enforces in a one-second window. */
  rate: number;
  /** Ids per delete call and per lookup call (1: one each), for the floor. */
  batch: number;
  /** Lookups the host makes for a status selection: api.video lists every video UNKNOWN. */
  looksUp: boolean;
  /** Whether the provider filters by status itself (docs/providers.md), so one pass lists only matching videos. */
  filtersStatus: boolean;
  /** Videos a list call returns at most (the plugin's page for a limit of PAGE_SIZE). */
  page: number;
  /** A request that deletes (default: DELETE); every other request without ids lists. */
  deletes?: (call: RecordedCall) => boolean;
  start(rate: number): Promise<RunningSimulator>;
  settings(simulator: RunningSimulator, rate: number): Record<string, unknown>;
}

const simulatorCases: SimulatorCase[] = [
  {
    name: 'omegastream',
    plugin: '@unreel/plugin-omegastream',
    documented: 'the simulator assumes 10/s; 50 ids a call; page-numbered listing',
    rate: 10,
    batch: 50,
    looksUp: false,
    filtersStatus: true,
    page: 100,
    start: (rate) => startOmegastream({ videoCount: 0, rateLimit: { limit: rate, windowMs: 1_000 } }),
    settings: (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url }),
  },
  {
    name: 'elytron',
    plugin: '@unreel/plugin-elytron',
    documented: 'Enterprise plan per minute, run as 500/s; 1 id a call; offset listing',
    rate: 500,
    batch: 1,
    looksUp: false,
    filtersStatus: true,
    page: 100,
    start: (rate) => startElytron({ videoCount: 0, plan: 'enterprise', rateLimit: { limit: rate, windowMs: 1_000 } }),
    settings: (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url, plan: 'enterprise' }),
  },
  {
    name: 'aliyun-vod',
    plugin: '@unreel/plugin-aliyun-vod',
    documented: '30 QPS per account; 20 ids a call; status and time filters sent',
    rate: 30,
    batch: 20,
    looksUp: false,
    filtersStatus: true,
    page: 100,
    // Every call is an RPC: no lookup is made here, so the calls that carry ids are the DeleteVideo ones.
    deletes: (call) => call.ids.length > 0,
    start: (rate) => startAliyunVod({ videoCount: 0, rateLimit: { limit: rate, windowMs: 1_000 } }),
    settings: (simulator, rate) => ({
      accessKeyId: simulator.credentials['accessKeyId'],
      accessKeySecret: simulator.credentials['accessKeySecret'],
      endpoint: simulator.url,
      requestsPerSecond: rate,
    }),
  },
  {
    name: 'fastpix',
    plugin: '@unreel/plugin-fastpix',
    documented: 'the simulator assumes 20/s, run as 500/s; 1 id a call',
    rate: 500,
    batch: 1,
    looksUp: false,
    filtersStatus: false,
    page: 50,
    start: (rate) => startFastPix({ videoCount: 0, rateLimit: { limit: rate, windowMs: 1_000 } }),
    settings: (simulator, rate) => ({ ...simulator.credentials, baseUrl: simulator.url, requestsPerSecond: rate }),
  },
  {
    name: 'api-video',
    plugin: '@unreel/plugin-api-video',
    documented: 'run as 500 calls/s (no simulator limit: a lookup is 2 reads); 1 id a call; no status in its list',
    rate: 500,
    batch: 1,
    looksUp: true,
    filtersStatus: false,
    page: 100,
    start: () => startApiVideo({ videoCount: 0, rateLimit: false }),
    settings: (simulator, rate) => ({
      apiKey: simulator.credentials['apiKey'],
      baseUrl: simulator.url,
      requestsPerSecond: rate,
    }),
  },
];

interface ChildRun {
  result: Promise<SelectionChildResult>;
  submitted: Promise<void>;
  kill(): Promise<void>;
}

/** One engine process (selection-engine-child.ts): its last line is the result, with its own peak RSS. */
function runChild(config: SelectionChildConfig): ChildRun {
  // UNREEL_BENCH_SELECTION_HEAP_MB caps the engine's V8 heap: whether its RSS is what it holds or what V8 let grow.
  const heap = process.env['UNREEL_BENCH_SELECTION_HEAP_MB'];
  const child = spawn(process.execPath, [...(heap ? [`--max-old-space-size=${heap}`] : []), CHILD], {
    env: { ...process.env, UNREEL_BENCH_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let submitted!: () => void;
  const submittedPromise = new Promise<void>((resolve) => (submitted = resolve));
  let last: (SelectionChildResult & { type: string }) | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const parsed = JSON.parse(line) as SelectionChildResult & { type: string };
    if (parsed.type === 'submitted') submitted();
    else last = parsed;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    submitted: submittedPromise,
    result: exited.then((code) => {
      if (code !== 0 || !last) throw new Error(`engine process exited ${code} without a result`);
      return last;
    }),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Delete requests the simulator answered 2xx, per native id, and how many were sent in all. */
function deleteCounts(
  calls: readonly RecordedCall[],
  isDelete: (call: RecordedCall) => boolean,
): { ok: Map<string, number>; sent: number } {
  const ok = new Map<string, number>();
  let sent = 0;
  for (const call of calls) {
    if (!isDelete(call)) continue;
    sent += 1;
    if (call.status >= 300) continue;
    for (const id of call.ids) ok.set(id, (ok.get(id) ?? 0) + 1);
  }
  return { ok, sent };
}

const byMethod = (call: RecordedCall): boolean => call.method === 'DELETE';

async function runSimulatorCase(entry: SimulatorCase, crash: boolean): Promise<void> {
  const simulator = await entry.start(entry.rate);
  const isDelete = entry.deletes ?? byMethod;
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bench-selection-'));
  try {
    const others = Math.floor(MATCHING / 4);
    // Interleaved, so every page of the listing holds both kinds.
    const states = Array.from({ length: MATCHING + others }, (_, index) =>
      index % 5 === 4 ? ('PROCESSING' as const) : ('READY' as const),
    );
    const nativeIds = await simulator.seed(states.map((state) => ({ state })));
    const matching = nativeIds.filter((_, index) => states[index] === 'READY');
    simulator.resetCalls();
    const config: SelectionChildConfig = {
      plugin: entry.plugin,
      settings: entry.settings(simulator, entry.rate),
      requestsPerSecond: entry.rate,
      journal: path.join(dir, 'journal.db'),
      operationId: `bench-${entry.name}`,
      statuses: ['READY'],
      maxItems: MATCHING,
      listPageSize: PAGE_SIZE,
    };
    const started = performance.now();
    let beforeKillMs = 0;
    let killedAt = 0;
    if (crash) {
      // Killed once half the matching videos are gone: discovery and deletion both part-way.
      const first = runChild(config);
      first.result.catch(() => undefined);
      await first.submitted;
      const submitted = performance.now();
      while (deleteCounts(simulator.calls(), isDelete).ok.size < matching.length / 2) await sleep(20);
      await first.kill();
      beforeKillMs = performance.now() - submitted;
      killedAt = deleteCounts(simulator.calls(), isDelete).ok.size;
    }
    const done = await runChild(config).result;
    // The engine's working time: before the kill, then after the restart (process starts not counted; the wall
    // time, with both, is printed beside it).
    const ms = beforeKillMs + done.ms;
    const wallMs = performance.now() - started;

    const served = simulator.calls();
    const listCalls = served.filter(
      (call) => call.ids.length === 0 && !isDelete(call) && !call.path.includes('auth'),
    ).length;
    const { ok, sent } = deleteCounts(served, isDelete);
    const throttled = served.filter((call) => call.status === 429 || call.status === 503).length;
    const listed = nativeIds.length;
    // The floor: one pass over the listing (only the matching videos where the provider filters by status), the
    // lookups a status selection needs there, and every delete call, at the account's rate.
    const lookupCalls = entry.looksUp ? Math.ceil(listed / entry.batch) : 0;
    const pages = Math.ceil((entry.filtersStatus ? MATCHING : listed) / entry.page);
    const floorCalls = pages + lookupCalls + Math.ceil(MATCHING / entry.batch);
    const floorMs = (floorCalls / entry.rate) * 1_000;
    const matchingSet = new Set(matching);
    const skipped = matching.filter((id) => simulator.stateOf(id) === 'PRESENT').length;
    const twice = [...ok.values()].filter((count) => count > 1).length;
    const othersTouched = [...ok.keys()].filter((id) => !matchingSet.has(id)).length;
    console.log(
      `${(crash ? `${entry.name} crash` : entry.name).padEnd(18)} ${fmt(matching.length)} of ${fmt(listed)}  ` +
        `${fmt(ms).padStart(7)} ms  floor ${fmt(floorMs).padStart(7)} ms (${fmt(floorCalls)} calls; ` +
        `ratio ${fmt(ms / floorMs, 2)}x)  list ${fmt(listCalls)} + delete ${fmt(sent)} requests of ${fmt(served.length)}, ` +
        `${fmt(done.passes)} passes  throttled ${throttled}  ${done.status} deleted ${fmt(done.deleted)} ` +
        `not found ${fmt(done.notFound)}  skipped ${skipped}, deleted twice ${twice}, others touched ${othersTouched}` +
        `${crash ? `  (killed at ${fmt(killedAt)} gone; wall time with both process starts ${fmt(wallMs)} ms)` : ''}  engine peak RSS ${fmt(done.maxRssMb)} MB ` +
        `(target < ${TARGET_RSS_MB})   [${entry.documented}]`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await simulator.close();
  }
}

async function runSandboxCase(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bench-selection-'));
  // 1,000 calls a second is more than any real provider allows: it shows what the engine itself costs per video.
  const rate = Number(process.env['UNREEL_BENCH_SELECTION_SANDBOX_RATE'] ?? 1_000);
  const batch = 100;
  // A fifth still processing, as on the simulators: SANDBOX_MATCHING READY videos among a quarter as many more.
  const videoCount = Math.round(SANDBOX_MATCHING * 1.25);
  try {
    const done = await runChild({
      plugin: '@unreel/plugin-sandbox',
      settings: {
        videoCount,
        seed: 18,
        latencyMs: [1, 3],
        batchSize: batch,
        processingRatio: 0.2,
        forbiddenRatio: 0,
      },
      requestsPerSecond: rate,
      journal: path.join(dir, 'journal.db'),
      operationId: 'bench-sandbox',
      statuses: ['READY'],
      maxItems: videoCount,
      listPageSize: PAGE_SIZE,
    }).result;
    const { ms } = done;
    // The sandbox filters by status itself: one pass lists only the matching videos.
    const floorCalls = Math.ceil(done.total / PAGE_SIZE) + Math.ceil(done.total / batch);
    const floorMs = (floorCalls / rate) * 1_000;
    const sandbox = done.sandbox;
    console.log(
      `${'sandbox'.padEnd(18)} ${fmt(done.total)} of ${fmt(videoCount)}  ${fmt(ms).padStart(7)} ms  ` +
        `floor ${fmt(floorMs).padStart(7)} ms (${fmt(floorCalls)} calls; ratio ${fmt(ms / floorMs, 2)}x)  ` +
        `delete ${fmt(sandbox?.deleteCalls ?? 0)} calls, ${fmt(done.passes)} passes  ${done.status} deleted ` +
        `${fmt(done.deleted)}  matching left ${sandbox?.matchingLeft}, deleted twice ${sandbox?.twice}, others ` +
        `gone ${sandbox?.othersGone}  engine peak RSS ${fmt(done.maxRssMb)} MB (target < ${TARGET_RSS_MB}; the ` +
        `sandbox's library lives in it)   [${rate}/s, ${batch} ids a call, in-process provider]`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delete by selection through the real engine (SQLite journal) and plugin, in a process of its own as the server
 * runs it: discovery and deletion time against the floor of one listing pass (plus the lookups a listing without
 * statuses needs) and every delete call at the account's rate; the engine process's own peak RSS; and the same with a
 * SIGKILL half-way and a restart on the same journal (nothing skipped, nothing deleted twice).
 */
export async function runSelection(): Promise<void> {
  console.log(
    `\n## selection: ${fmt(MATCHING)} matching videos per simulator, ${fmt(SANDBOX_MATCHING)} on the sandbox ` +
      `(target <= 1.15x the floor, engine RSS < ${TARGET_RSS_MB} MB)`,
  );
  const only = process.env['UNREEL_BENCH_SELECTION_ONLY']?.split(',');
  const wanted = (name: string): boolean => !only || only.includes(name);
  if (wanted('sandbox')) await runSandboxCase();
  for (const entry of simulatorCases) if (wanted(entry.name)) await runSimulatorCase(entry, false);
  const elytronCase = simulatorCases.find((entry) => entry.name === 'elytron');
  if (elytronCase && wanted('crash')) await runSimulatorCase(elytronCase, true);
}
