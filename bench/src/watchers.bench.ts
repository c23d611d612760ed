import { execFileSync } from 'node:child_process';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import { DeleteVideosDocument, DeletionProgressDocument } from '@unreel/client';
import { SandboxLibrary } from '@unreel/plugin-sandbox';
import { fmt, median } from './measure.js';
import { connectRaw, type RawConnection, type SubscriberSink } from './watchers-subscriber.js';

/**
 * Many watchers of deletionProgress, the server in a process of its own and every client in this one: the same
 * scenarios against this checkout ("after") and against a build of another commit ("before": UNREEL_BASELINE_REF,
 * by default fae7eeb, built once into the OS temp folder), interleaved round by round, medians with
 * their spread.
 */

const ITEMS = 10_000;
const SETTINGS = { seed: 1, latencyMs: [0, 0], batchSize: 25, processingRatio: 0, forbiddenRatio: 0 } as const;
const PROGRESS = print(DeletionProgressDocument);
/** A run that takes longer is cut there and counted with what it delivered by then. */
const RUN_CAP_MS = 60_000;

interface Variant {
  name: 'before' | 'after';
  module: string;
}

interface Server {
  url: string;
  wsUrl: string;
  rss(gc?: boolean): Promise<number>;
  /** Peak resident memory while `work` runs, over the level (after a GC) just before it. */
  growth<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }>;
  close(): Promise<void>;
}

async function startServer(
  variant: Variant,
  videoCount: number,
  sandbox: Record<string, unknown> = {},
): Promise<Server> {
  const config = {
    journal: { driver: 'memory' },
    server: {
      maxIdsPerOperation: ITEMS,
      deleteWaitMs: 600_000,
      maxSocketsPerTenant: 5_000,
      maxRunningOperationsPerTenant: 1_000,
    },
    accounts: [{ name: 'bench', plugin: '@unreel/plugin-sandbox', settings: { ...SETTINGS, videoCount, ...sandbox } }],
  };
  const child = fork(
    fileURLToPath(new URL('./watchers-server.js', import.meta.url)),
    [variant.module, JSON.stringify(config)],
    {
      execArgv: ['--expose-gc', ...(process.env.WATCHERS_SERVER_ARGS ?? '').split(' ').filter(Boolean)],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const [ready] = (await once(child, 'message')) as [{ url: string; wsUrl: string }];
  const rss = async (gc = false): Promise<number> => {
    child.send({ type: 'rss', gc });
    const [answer] = (await once(child, 'message')) as [{ rss: number }];
    return answer.rss;
  };
  return {
    url: ready.url,
    wsUrl: ready.wsUrl,
    rss,
    async growth(work) {
      const baseline = await rss(true);
      let peak = baseline;
      const state = { sampling: true };
      const sampler = (async () => {
        while (state.sampling) {
          peak = Math.max(peak, await rss());
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      try {
        const result = await work();
        return { result, growthMb: (Math.max(peak, await rss()) - baseline) / 1_048_576 };
      } finally {
        state.sampling = false;
        await sampler;
      }
    },
    close: () => stop(child),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.send({ type: 'close' });
  await exited;
}

/** Event lags in whole milliseconds, one counter per millisecond: percentiles of millions of events in little room. */
class LagHistogram {
  private readonly counts = new Uint32Array(RUN_CAP_MS * 4);
  total = 0;

  add(ms: number): void {
    this.counts[Math.min(this.counts.length - 1, Math.max(0, Math.round(ms)))]! += 1;
    this.total += 1;
  }

  percentile(p: number): number {
    let seen = 0;
    const wanted = Math.ceil(this.total * p);
    for (let ms = 0; ms < this.counts.length; ms += 1) {
      seen += this.counts[ms]!;
      if (seen >= wanted) return ms;
    }
    return this.counts.length;
  }
}

/** Subscribers report here: frames counted, lags into the run's histogram. */
function sinkOf(lags: LagHistogram): SubscriberSink {
  return { events: 0, last: 0, lag: (ms) => lags.add(ms) };
}

/** `connection`'s subscription to `operationId` from the start; resolves on its `complete`. */
function follow(connection: RawConnection, id: string, operationId: string, sink: SubscriberSink): Promise<void> {
  return connection.subscribe(id, PROGRESS, { operationId, after: 0 }, sink);
}

/** A subscriber of `operationId` from the start on a connection of its own. */
async function watch(
  wsUrl: string,
  operationId: string,
  sink: SubscriberSink,
): Promise<{ done: Promise<void>; close(): void }> {
  const connection = await connectRaw(wsUrl);
  return { done: follow(connection, '1', operationId, sink), close: () => connection.close() };
}

async function sample(server: Server, name: string): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function deleteVideos(server: Server, ids: readonly string[], operationId: string, wait: boolean): Promise<void> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(DeleteVideosDocument), variables: { input: { ids, operationId, wait } } }),
  });
  const body = (await response.json()) as { data?: { deleteVideos: { pending: number } } };
  if (!body.data || (wait && body.data.deleteVideos.pending !== 0))
    throw new Error(`deleteVideos answered ${JSON.stringify(body).slice(0, 300)}`);
}

function videoIds(count: number): string[] {
  return new SandboxLibrary({ ...SETTINGS, videoCount: count }).order.map((id) => `bench:${id}`);
}

interface Scenario {
  watchers: number;
  operations: number;
  items: number;
  callsPerSecond?: number;
  rounds: number;
}

interface Delivery {
  eventsPerSecond: number;
  p99LagMs: number;
  /** p99 lag of the warm-up operation, on the fresh process. */
  coldP99LagMs: number;
  rssGrowthMb: number;
  /** This process's CPU time over the run's wall time: near 1.0 would mean the clients, not the server, set the pace. */
  clientCpu: number;
  delivered: number;
  expected: number;
}

/**
 * What a server that has been running looks like to its subscribers: every connection of the scenario first follows
 * one operation of WARM_UP_ITEMS ids to its end, at the scenario's pace, then subscribes to the measured one on the
 * same connection (as a frontend keeps its graphql-ws connection and subscribes per operation). Without it the run's
 * p99 was its first seconds: V8 compiling the delivery path (the first burst of 100,000 frames took ~480 ms of CPU
 * against ~130 ms later) and new TCP connections growing their windows (with a warm process and new connections, the
 * first two bursts still lagged 2-4x the rest). The warm-up's own p99 is printed beside the measured one as the
 * cold figure, so it is not hidden.
 */
const WARM_UP_ITEMS = 2_000;

async function warmUp(server: Server, connections: readonly RawConnection[], ids: readonly string[]): Promise<number> {
  const lags = new LagHistogram();
  const counter = sinkOf(lags);
  const done = connections.map((connection) => follow(connection, 'warm-up', 'warm-up', counter));
  await until(async () => (await sample(server, 'unreel_subscriptions_open')) === connections.length);
  await deleteVideos(server, ids, 'warm-up', false);
  await Promise.all(done);
  await until(async () => (await sample(server, 'unreel_subscriptions_open')) === 0);
  return lags.percentile(0.99);
}

/**
 * `watchers` subscribers on each of `operations` operations of `items` ids, subscribed before the deletions start;
 * `callsPerSecond` paces the sandbox (25 ids a call), unpaced it deletes as fast as the engine goes.
 */
async function delivery(
  variant: Variant,
  { watchers, operations, items, callsPerSecond }: Scenario,
): Promise<Delivery> {
  const all = videoIds(operations * items + WARM_UP_ITEMS);
  const ids = all.slice(0, operations * items);
  const server = await startServer(variant, all.length, callsPerSecond ? { requestsPerSecond: callsPerSecond } : {});
  try {
    const connections: RawConnection[] = [];
    for (let count = 0; count < watchers * operations; count += 1) connections.push(await connectRaw(server.wsUrl));
    // Growth counts from before the warm-up: the forced GC that sets its baseline, taken right before the measured run,
    // made that run's server CPU 242 ms a second against 130 without it, and its p99 lag 198 ms against 139.
    const { result, growthMb } = await server.growth(async () => {
      const coldP99LagMs = await warmUp(server, connections, all.slice(ids.length));
      const lags = new LagHistogram();
      const counter = sinkOf(lags);
      const followed = connections.map((connection, index) =>
        follow(connection, '1', `op-${Math.floor(index / watchers)}`, counter),
      );
      await until(async () => (await sample(server, 'unreel_subscriptions_open')) === connections.length);
      const cpu = process.cpuUsage();
      const started = Date.now();
      await Promise.all(
        Array.from({ length: operations }, (_, operation) =>
          deleteVideos(server, ids.slice(operation * items, (operation + 1) * items), `op-${operation}`, false),
        ),
      );
      const cap = new Promise((resolve) => setTimeout(resolve, RUN_CAP_MS).unref());
      await Promise.race([Promise.all(followed), cap]);
      const used = process.cpuUsage(cpu);
      return {
        coldP99LagMs,
        lags,
        counter,
        wallMs: Math.max(1, counter.last - started),
        clientCpu: (used.user + used.system) / 1000 / (Date.now() - started),
      };
    });
    for (const connection of connections) connection.close();
    return {
      eventsPerSecond: result.counter.events / (result.wallMs / 1000),
      p99LagMs: result.lags.percentile(0.99),
      coldP99LagMs: result.coldP99LagMs,
      rssGrowthMb: growthMb,
      clientCpu: result.clientCpu,
      delivered: result.counter.events,
      expected: watchers * operations * items,
    };
  } finally {
    await server.close();
  }
}

/** Items/s of 10 operations of 10,000 ids run at once, with `watchers` subscribers on the first of them. */
async function deletionThroughput(variant: Variant, watchers: number): Promise<number> {
  const operations = 10;
  const ids = videoIds(operations * ITEMS);
  const server = await startServer(variant, ids.length);
  try {
    const lags = new LagHistogram();
    const counter = sinkOf(lags);
    const sockets = [];
    for (let watcher = 0; watcher < watchers; watcher += 1) sockets.push(await watch(server.wsUrl, 'op-0', counter));
    await until(async () => (await sample(server, 'unreel_subscriptions_open')) === watchers);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: operations }, (_, operation) =>
        deleteVideos(server, ids.slice(operation * ITEMS, (operation + 1) * ITEMS), `op-${operation}`, true),
      ),
    );
    const rate = ids.length / ((performance.now() - started) / 1000);
    for (const socket of sockets) socket.close();
    return rate;
  } finally {
    await server.close();
  }
}

/**
 * p99 of `{ accounts { name } }` asked one after another (from a third process) while `replays` subscribers replay a
 * finished operation of 10,000 events, or for two seconds without replays.
 */
async function probeDuringReplays(variant: Variant, replays: number): Promise<{ p99Ms: number; probes: number }> {
  const ids = videoIds(ITEMS);
  const server = await startServer(variant, ids.length);
  try {
    await deleteVideos(server, ids, 'done', true);
    const probe = fork(fileURLToPath(new URL('./watchers-probe.js', import.meta.url)), [server.url], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [started] = (await once(probe, 'message')) as [{ type: string }];
    if (started.type !== 'started') throw new Error('the probe did not start');
    const lags = new LagHistogram();
    const counter = sinkOf(lags);
    const sockets = [];
    for (let replay = 0; replay < replays; replay += 1) sockets.push(await watch(server.wsUrl, 'done', counter));
    if (replays > 0) await Promise.all(sockets.map((socket) => socket.done));
    else await new Promise((resolve) => setTimeout(resolve, 2_000));
    const answered = once(probe, 'message');
    probe.send({ type: 'stop' });
    const [{ times }] = (await answered) as [{ times: number[] }];
    for (const socket of sockets) socket.close();
    times.sort((a, b) => a - b);
    return { p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? 0, probes: times.length };
  } finally {
    await server.close();
  }
}

/** A build of git `ref` in the OS temp folder, made once per commit: what "before" runs. */
function baselineModule(): string | undefined {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  // By default the last commit before the shared fan-out, the socket writer and the feed landed (issue 16).
  const ref = process.env.UNREEL_BASELINE_REF ?? 'fae7eeb';
  try {
    const sha = git('rev-parse', ref);
    const dir = join(tmpdir(), `unreel-baseline-${sha.slice(0, 12)}`);
    const entry = join(dir, 'packages/server/dist/index.js');
    if (!existsSync(entry)) {
      console.log(`building the baseline (${ref} = ${sha.slice(0, 12)}) in ${dir} ...`);
      execFileSync('sh', ['-c', `mkdir -p "${dir}" && git archive ${sha} | tar -x -C "${dir}"`], { cwd: root });
      execFileSync('pnpm', ['install', '--offline', '--frozen-lockfile'], { cwd: dir, stdio: 'ignore' });
      execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
    }
    console.log(`before = ${ref} (${sha.slice(0, 12)}), after = this checkout`);
    return entry;
  } catch (error) {
    console.log(`no baseline build of ${ref} (${(error as Error).message.split('\n')[0]}): "after" only`);
    return undefined;
  }
}

function spread(values: readonly number[], digits = 0): string {
  return `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}-${fmt(Math.max(...values), digits)})`;
}

export async function runWatchers(): Promise<void> {
  const rounds = Number(process.env.WATCHERS_ROUNDS ?? 3);
  console.log(
    `\n## watchers: deletionProgress subscribers in a second process, sandbox at zero latency (${rounds} interleaved rounds, medians (min-max))`,
  );
  const before = baselineModule();
  const variants: Variant[] = [
    ...(before ? [{ name: 'before' as const, module: before }] : []),
    { name: 'after', module: createRequire(import.meta.url).resolve('@unreel/server') },
  ];
  /** Runs `work` for every variant, `rounds` times, alternating which goes first. */
  const interleaved = async <T>(work: (variant: Variant) => Promise<T>, times = rounds): Promise<Map<string, T[]>> => {
    const results = new Map<string, T[]>(variants.map((variant) => [variant.name, []]));
    for (let round = 0; round < times; round += 1) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) results.get(variant.name)!.push(await work(variant));
    }
    return results;
  };
  const row = (label: string, values: Map<string, number[]>, digits = 0, target = ''): void => {
    const cells = variants.map((variant) => `${variant.name} ${spread(values.get(variant.name)!, digits)}`);
    const ratio =
      values.has('before') && values.has('after')
        ? `  ${fmt(median(values.get('after')!) / median(values.get('before')!), 2)}x`
        : '';
    console.log(`${label.padEnd(36)} ${cells.join('   ')}${ratio}${target ? `  (target ${target})` : ''}`);
  };
  const pick = <T>(results: Map<string, T[]>, field: (value: T) => number): Map<string, number[]> =>
    new Map([...results].map(([name, values]) => [name, values.map(field)]));

  // Paced at 1,000 items/s (40 calls/s of 25), as a provider would: lag then says whether delivery keeps up; unpaced,
  // events/s is what delivery can do at most.
  const paced = 40;
  const scenarios: (Scenario & { label: string; targets: Partial<Record<'rate' | 'lag' | 'rss', string>> })[] = [
    {
      label: '1 on 10,000 items at 1,000/s',
      watchers: 1,
      operations: 1,
      items: ITEMS,
      callsPerSecond: paced,
      rounds,
      targets: { lag: '< 250' },
    },
    {
      label: '100 on 10,000 items at 1,000/s',
      watchers: 100,
      operations: 1,
      items: ITEMS,
      callsPerSecond: paced,
      rounds,
      targets: { lag: '< 250' },
    },
    {
      label: '100 on 10,000 items unpaced',
      watchers: 100,
      operations: 1,
      items: ITEMS,
      rounds,
      targets: { rate: '>= 100,000' },
    },
    {
      label: '1,000 on 10,000 items at 1,000/s',
      watchers: 1_000,
      operations: 1,
      items: ITEMS,
      callsPerSecond: paced,
      rounds: 1,
      targets: { rss: '< 200' },
    },
    { label: '200 ops of 100 items, 1 watcher each', watchers: 1, operations: 200, items: 100, rounds, targets: {} },
  ];
  // WATCHERS_PARTS=delivery,deletion,probe (default all): rerun a part alone.
  const parts = new Set((process.env.WATCHERS_PARTS ?? 'delivery,deletion,probe').split(','));
  // WATCHERS_SCENARIOS=1,2 (1-based, default all): only those delivery scenarios.
  const chosen = process.env.WATCHERS_SCENARIOS?.split(',').map(Number);
  const delivered = scenarios.filter((_, index) => chosen === undefined || chosen.includes(index + 1));
  for (const scenario of parts.has('delivery') ? delivered : []) {
    const results = await interleaved((variant) => delivery(variant, scenario), scenario.rounds);
    const { label, targets } = scenario;
    console.log(label);
    row(
      '  events/s delivered in total',
      pick(results, (r) => r.eventsPerSecond),
      0,
      targets.rate,
    );
    row(
      '  p99 event lag ms',
      pick(results, (r) => r.p99LagMs),
      0,
      targets.lag,
    );
    row(
      '  same, warm-up on the fresh process',
      pick(results, (r) => r.coldP99LagMs),
    );
    row(
      '  server RSS growth MB',
      pick(results, (r) => r.rssGrowthMb),
      1,
      targets.rss,
    );
    row(
      '  client process CPU share',
      pick(results, (r) => r.clientCpu),
      2,
    );
    for (const [name, values] of results) {
      const short = values.filter((value) => value.delivered < value.expected);
      if (short.length > 0)
        console.log(
          `  ${name}: ${short.length} run(s) cut at ${RUN_CAP_MS / 1000} s with ${fmt(median(short.map((value) => value.delivered)))} of ${fmt(short[0]!.expected)} events`,
        );
    }
  }

  if (parts.has('deletion')) await deletion();
  if (parts.has('probe')) await probe();

  async function deletion(): Promise<void> {
    const alone = await interleaved((variant) => deletionThroughput(variant, 0));
    const watched = await interleaved((variant) => deletionThroughput(variant, 200));
    row('deletion, 10 x 10,000 ids: items/s, alone', alone);
    row('  with 200 watchers on one of them', watched);
    for (const variant of variants)
      console.log(
        `  ${variant.name}: ${fmt(median(watched.get(variant.name)!) / median(alone.get(variant.name)!), 2)}x of alone${variant.name === 'after' ? '  (target >= 0.80x)' : ''}`,
      );
  }

  async function probe(): Promise<void> {
    const quiet = await interleaved((variant) => probeDuringReplays(variant, 0).then((r) => r.p99Ms), 1);
    const probes = await interleaved((variant) => probeDuringReplays(variant, 50));
    row('{ accounts { name } } p99 ms, no replay', quiet, 1);
    row(
      '  during 50 replays of 10,000 events',
      pick(probes, (r) => r.p99Ms),
      1,
      '< 50',
    );
    row(
      '  probes answered during the replays',
      pick(probes, (r) => r.probes),
    );
  }
}
