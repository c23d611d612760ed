import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { VideoProviderPluginV1 } from '@unreel/provider-spec';
import type { RunningSimulator } from '@unreel/provider-kit/simulator';
import aliyunVod from '@unreel/plugin-aliyun-vod';
import { startSimulator as startAliyunVod } from '@unreel/plugin-aliyun-vod/simulator';
import elytron from '@unreel/plugin-elytron';
import { startSimulator as startElytron } from '@unreel/plugin-elytron/simulator';
import { fmt } from './measure.js';
import { nextMessage } from './redis-admission.bench.js';
import type { ReplicaJob, ReplicaResult } from './redis-admission-replica.js';
import { deleteThroughSimulator } from './simulator-operation.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const REPLICA = fileURLToPath(new URL('./redis-admission-replica.js', import.meta.url));
const REPLICAS = 3;

interface ProviderCase {
  name: string;
  plugin: VideoProviderPluginV1<never>;
  configured: number;
  /** Ids a delete call takes. */
  batch: number;
  start(quota: number): Promise<RunningSimulator>;
  settings(simulator: RunningSimulator): Record<string, unknown>;
}

// Both simulators count a rolling second at arrival, as ApsaraVideo's QPS quota does.
const providers: ProviderCase[] = [
  {
    name: 'aliyun-vod',
    plugin: aliyunVod as VideoProviderPluginV1<never>,
    configured: 30,
    batch: 20,
    start: (quota) => startAliyunVod({ videoCount: 0, rateLimit: { limit: quota, windowMs: 1_000, rolling: true } }),
    settings: (simulator) => ({
      accessKeyId: simulator.credentials['accessKeyId'],
      accessKeySecret: simulator.credentials['accessKeySecret'],
      endpoint: simulator.url,
    }),
  },
  {
    name: 'elytron',
    plugin: elytron as VideoProviderPluginV1<never>,
    configured: 300,
    batch: 1,
    start: (quota) =>
      startElytron({ videoCount: 0, plan: 'enterprise', rateLimit: { limit: quota, windowMs: 1_000, rolling: true } }),
    settings: (simulator) => ({ apiKey: simulator.credentials['apiKey'], baseUrl: simulator.url, plan: 'enterprise' }),
  },
];

/** The real quota as a share of the configured rate, and how many calls each run makes (enough to amortise learning). */
const shares: { divisor: number; seconds: number }[] = [
  { divisor: 2, seconds: 8 },
  { divisor: 6, seconds: 12 },
  { divisor: 30, seconds: 40 },
];

interface RunResult {
  ms: number;
  calls: number;
  throttled: number;
  deleted: number;
  failed: number;
  rate: number | undefined;
  /** The simulator's log: when each call arrived (ms after the first) and what it answered. */
  log: { at: number; status: number }[];
}

async function runOnce(entry: ProviderCase, quota: number, items: number, learnRate: boolean): Promise<RunResult> {
  const simulator = await entry.start(quota);
  try {
    const { ms, done, rate } = await deleteThroughSimulator({
      plugin: entry.plugin,
      settings: entry.settings(simulator),
      simulator,
      items,
      limits: { requestsPerSecond: entry.configured, learnRate },
    });
    const served = simulator.calls();
    return {
      ms,
      calls: served.length,
      // No faults are injected, so every refused answer is the quota speaking.
      throttled: served.filter((call) => call.status === 429 || call.status === 503).length,
      deleted: done.deleted,
      failed: done.failed,
      rate,
      log: served.map((call) => ({ at: call.at - (served[0]?.at ?? 0), status: call.status })),
    };
  } finally {
    await simulator.close();
  }
}

function line(label: string, result: RunResult, floorMs: number, items: number): string {
  return (
    `  ${label.padEnd(11)} ${fmt(result.ms).padStart(7)} ms  ${fmt(result.ms / floorMs, 2).padStart(5)}x the floor  ` +
    `calls ${fmt(result.calls).padStart(4)}  throttled ${fmt(result.throttled).padStart(4)} ` +
    `(${fmt((100 * result.throttled) / Math.max(1, result.calls), 1)}%)  deleted ${result.deleted}/${items}  ` +
    `failed ${result.failed}  rate at the end ${result.rate === undefined ? 'none' : fmt(result.rate, 2)}/s`
  );
}

/**
 * Deletions against simulators whose real quota (a rolling second, counted at arrival) is 1/2, 1/6 and 1/30 of the
 * configured rate: the configured rate kept fixed (learnRate false: what unreel did before) against the learned one.
 * The floor is what the real quota allows: calls / quota.
 */
export async function runAdaptiveRate(): Promise<void> {
  const only = selectedCases();
  const showLog = process.env['ADAPTIVE_RATE_LOG'] === '1';
  // The fixed rate's runs are the slow ones (minutes at 1/30), and do not change with the engine's learning.
  const learnedOnly = process.env['ADAPTIVE_RATE_LEARNED_ONLY'] === '1';
  console.log(
    '\n## adaptive-rate: real quota below the configured rate (target: throttled <= 10% of calls, time <= 1.25x the real quota floor)',
  );
  for (const entry of providers) {
    for (const { divisor, seconds } of shares) {
      if (only && !only.has(`${entry.name}/${divisor}`)) continue;
      const { quota, items, floorMs } = describeCase(entry, divisor, seconds);
      if (!learnedOnly) console.log(line('fixed', await runOnce(entry, quota, items, false), floorMs, items));
      const adaptive = await runOnce(entry, quota, items, true);
      console.log(line('adaptive', adaptive, floorMs, items));
      if (showLog) console.log(arrivals(adaptive.log));
    }
  }
}

/**
 * One case: the real quota (the configured rate over `divisor`), enough ids for `seconds` of calls at it, and the
 * floor (the time those calls take at the real quota); printed as the case's heading.
 */
function describeCase(
  entry: ProviderCase,
  divisor: number,
  seconds: number,
): { quota: number; items: number; floorMs: number } {
  const quota = entry.configured / divisor;
  const calls = Math.round(quota * seconds);
  const items = calls * entry.batch;
  const floorMs = (calls / quota) * 1_000;
  console.log(
    `${entry.name}: configured ${entry.configured}/s, real quota ${quota}/s (1/${divisor}), ${fmt(items)} ids in ${calls} calls, floor ${fmt(floorMs)} ms`,
  );
  return { quota, items, floorMs };
}

/**
 * Three processes (engine, Redis admission: one window) splitting the ids of one ApsaraVideo account whose real quota
 * is below the configured rate: each replica learning its own rate from its own calls (what unreel did before) beside
 * one learned rate kept in Redis for all of them.
 */
export async function runAdaptiveRateReplicas(): Promise<void> {
  const entry = providers[0] as ProviderCase;
  console.log(
    `\n## adaptive-rate-replicas: ${REPLICAS} replicas on one ${entry.name} account, one Redis window; learned per replica vs shared:`,
  );
  for (const { divisor, seconds } of shares.slice(0, 2)) {
    const { quota, items, floorMs } = describeCase(entry, divisor, seconds);
    for (const learning of ['per-replica', 'shared'] as const) {
      const result = await replicatedOnce(entry, quota, items, learning);
      console.log(
        `${line(learning, result, floorMs, items).replace(/rate at the end .*$/, '')}rates at the end ${result.rates.join(' / ')}/s`,
      );
    }
  }
}

async function replicatedOnce(
  entry: ProviderCase,
  quota: number,
  items: number,
  learning: 'per-replica' | 'shared',
): Promise<RunResult & { rates: (number | undefined)[] }> {
  const simulator = await entry.start(quota);
  const prefix = `unreel-bench:${randomUUID()}:`;
  const children: ChildProcess[] = [];
  try {
    const ids = await simulator.seed(Array.from({ length: items }, () => ({ state: 'READY' as const })));
    // Whole calls each.
    const share = Math.ceil(items / entry.batch / REPLICAS) * entry.batch;
    const replicas = Array.from({ length: REPLICAS }, (_, replica) => {
      const job: ReplicaJob = {
        admission: 'redis',
        learning,
        redisUrl: REDIS_URL,
        keyPrefix: prefix,
        accounts: [
          {
            name: 'vod',
            settings: entry.settings(simulator),
            requestsPerSecond: entry.configured,
            concurrency: 4,
            ids: ids.slice(replica * share, (replica + 1) * share),
          },
        ],
      };
      const child = fork(REPLICA);
      children.push(child);
      child.send(job);
      return child;
    });
    await Promise.all(replicas.map((child) => nextMessage(child)));
    simulator.resetCalls();
    const started = performance.now();
    const results = replicas.map((child) => nextMessage(child) as Promise<ReplicaResult>);
    for (const child of replicas) child.send('go');
    const done = await Promise.all(results);
    const ms = performance.now() - started;
    const served = simulator.calls();
    const deleted = done.reduce((sum, result) => sum + result.deleted, 0);
    return {
      ms,
      calls: served.length,
      throttled: served.filter((call) => call.status === 429 || call.status === 503).length,
      deleted,
      failed: done.reduce((sum, result) => sum + (result.total - result.deleted), 0),
      rate: undefined,
      log: served.map((call) => ({ at: call.at - (served[0]?.at ?? 0), status: call.status })),
      rates: done.map((result) => result.rates['vod']),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await simulator.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

/**
 * ADAPTIVE_RATE_CASES=aliyun-vod/30,elytron/2 runs only those cases (provider/divisor), to reproduce one alone; unset,
 * every case runs.
 */
function selectedCases(): Set<string> | undefined {
  const value = process.env['ADAPTIVE_RATE_CASES']?.trim();
  if (!value) return undefined;
  const known = providers.flatMap((entry) => shares.map(({ divisor }) => `${entry.name}/${divisor}`));
  const wanted = value.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`ADAPTIVE_RATE_CASES: unknown case ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return new Set(wanted);
}

/** ADAPTIVE_RATE_LOG=1: the learned run's calls as the simulator counted them, throttled ones marked, ten a line. */
function arrivals(log: RunResult['log']): string {
  const lines: string[] = [];
  for (let index = 0; index < log.length; index += 10) {
    const row = log
      .slice(index, index + 10)
      .map(({ at, status }) => `${fmt(at).padStart(6)}${status === 200 ? ' ' : '*'}`)
      .join(' ');
    lines.push(`    ${row}`);
  }
  return `  arrivals (ms after the first; * throttled):\n${lines.join('\n')}`;
}
