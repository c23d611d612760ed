import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { InProcessAccountAdmission, type AccountAdmission } from '@unreel/core';
import { RedisAccountAdmission, type RedisPermit } from '@unreel/cluster';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { fmt, median } from './measure.js';
import type { ReplicaJob, ReplicaResult } from './redis-admission-replica.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const REPLICA = fileURLToPath(new URL('./redis-admission-replica.js', import.meta.url));
const ACCOUNTS = 8;
const RATE = 10;
const CONCURRENCY = 6;
/** Calls per account and run: five windows' worth, at best four seconds at the rate after the first window. */
const CALLS_PER_ACCOUNT = 50;
/** ApsaraVideo deletes 20 ids a call. */
const IDS_PER_CALL = 20;

export async function runRedisAdmission(): Promise<void> {
  console.log('\n## redis-admission');
  await overhead();
  await sharedLimits();
}

/** Admission alone: acquire and release, one caller after another and 16 at once, in the process vs through Redis. */
async function overhead(): Promise<void> {
  const prefix = `unreel-bench:${randomUUID()}:`;
  const redis = new Redis(REDIS_URL);
  const limits = { accountName: 'bench', concurrency: 1_000, callTimeoutMs: 15_000 };
  try {
    console.log('\nadmission overhead per call (acquire + release), median of 3 rounds of 2,000 calls:');
    console.log('| case | in-process | Redis | ratio |');
    console.log('|---|---|---|---|');
    for (const [label, requestsPerSecond] of [
      ['no rate', undefined],
      ['with a rate window', 1_000_000],
    ] as const) {
      for (const parallel of [1, 16]) {
        const local = await timeCalls(
          () => new InProcessAccountAdmission({ account: { limits: { concurrency: 1_000 } }, requestsPerSecond }),
          parallel,
        );
        const shared = await timeCalls(
          () => new RedisAccountAdmission({ ...limits, requestsPerSecond }, { redis, keyPrefix: `${prefix}${label}:` }),
          parallel,
        );
        console.log(
          `| ${label}, ${parallel === 1 ? 'one at a time' : `${parallel} at once`} | ${fmt(local, 1)} µs | ${fmt(shared, 1)} µs | ${fmt(shared / local, 1)}× |`,
        );
      }
    }
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

/** Median µs per call, for `parallel` callers making 2,000 calls in all, each waiting for its release. */
async function timeCalls(make: () => AccountAdmission, parallel: number): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 4; round += 1) {
    const admission = make();
    const calls = 2_000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        for (let call = 0; call < calls / parallel; call += 1) {
          const permit = await admission.acquire(new AbortController().signal);
          permit.release();
          await (permit as Partial<RedisPermit>).released;
        }
      }),
    );
    // The first round warms up (script load, JIT).
    if (round > 0) rounds.push(((performance.now() - started) * 1_000) / calls);
    admission.close();
  }
  return median(rounds);
}

interface SharedRun {
  label: string;
  processes: number;
  calls: number;
  throttled: number;
  mostInASecond: number;
  /** Per account: the calls after the first window's over the time from its last call to the last call. */
  steadyRate: number[];
  wallRate: number;
  unavailable: number;
}

/** 1, 2 and 3 processes sharing 8 accounts' limits through Redis, each account on its own rate-limited simulator. */
async function sharedLimits(): Promise<void> {
  const runs: SharedRun[] = [];
  // The baseline first and last: the machine's load drifts during the runs.
  runs.push(await sharedRun(1, 'in-process'));
  for (const processes of [1, 2, 3]) runs.push(await sharedRun(processes, 'redis'));
  runs.push(await sharedRun(1, 'in-process'));
  const theoretical = ACCOUNTS * RATE;
  console.log(
    `\n${ACCOUNTS} accounts at ${RATE} calls/s (rolling second, counted at arrival), concurrency ${CONCURRENCY}, ` +
      `${CALLS_PER_ACCOUNT} calls each per run, the processes splitting the ids:`,
  );
  console.log(
    '| admission | processes | calls | throttled | most in a rolling second | steady rate per account (min / median) | all accounts, whole run | vs theoretical |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const run of runs) {
    console.log(
      `| ${run.label} | ${run.processes} | ${run.calls} | ${run.throttled} | ${run.mostInASecond} (limit ${RATE}) | ` +
        `${fmt(Math.min(...run.steadyRate), 1)} / ${fmt(median(run.steadyRate), 1)} calls/s (${fmt(median(run.steadyRate) / RATE, 2)}×) | ` +
        `${fmt(run.wallRate, 1)} calls/s | ${fmt(run.wallRate / theoretical, 2)}× of ${theoretical} |` +
        (run.unavailable > 0 ? ` (Redis unavailable ${run.unavailable}×)` : ''),
    );
  }
}

async function sharedRun(processes: number, admission: ReplicaJob['admission']): Promise<SharedRun> {
  const simulators: AliyunVodSimulator[] = [];
  const children: ChildProcess[] = [];
  const prefix = `unreel-bench:${randomUUID()}:`;
  try {
    for (let index = 0; index < ACCOUNTS; index += 1) {
      simulators.push(
        await startSimulator({
          videoCount: 0,
          processingRatio: 0,
          forbiddenRatio: 0,
          rateLimit: { limit: RATE, windowMs: 1_000, rolling: true },
        }),
      );
    }
    const ids = await Promise.all(
      simulators.map((simulator) =>
        simulator.seed(Array.from({ length: CALLS_PER_ACCOUNT * IDS_PER_CALL }, () => ({ state: 'READY' as const }))),
      ),
    );
    // Whole calls each, so the processes together make as many calls as one would.
    const share = Math.ceil(CALLS_PER_ACCOUNT / processes) * IDS_PER_CALL;
    const replicas = Array.from({ length: processes }, (_, replica) => {
      const job: ReplicaJob = {
        admission,
        redisUrl: REDIS_URL,
        keyPrefix: prefix,
        accounts: simulators.map((simulator, account) => ({
          name: `vod${account}`,
          settings: { ...simulator.credentials, endpoint: simulator.url },
          requestsPerSecond: RATE,
          concurrency: CONCURRENCY,
          ids: (ids[account] as string[]).slice(replica * share, (replica + 1) * share),
        })),
      };
      const child = fork(REPLICA);
      children.push(child);
      child.send(job);
      return child;
    });
    await Promise.all(replicas.map((child) => nextMessage(child)));
    for (const simulator of simulators) simulator.resetCalls();
    const started = performance.now();
    const results = replicas.map((child) => nextMessage(child) as Promise<ReplicaResult>);
    for (const child of replicas) child.send('go');
    const done = await Promise.all(results);
    const wallMs = performance.now() - started;
    const deleted = done.reduce((sum, result) => sum + result.deleted, 0);
    if (deleted !== ACCOUNTS * CALLS_PER_ACCOUNT * IDS_PER_CALL) throw new Error(`only ${deleted} ids deleted`);
    let calls = 0;
    let throttled = 0;
    let mostInASecond = 0;
    const steadyRate: number[] = [];
    for (const simulator of simulators) {
      const served = simulator.calls();
      calls += served.length;
      throttled += served.filter((call) => call.status !== 200).length;
      const arrivals = served.map((call) => call.at).toSorted((a, b) => a - b);
      let first = 0;
      for (let last = 0; last < arrivals.length; last += 1) {
        while ((arrivals[last] as number) - (arrivals[first] as number) >= 1_000) first += 1;
        mostInASecond = Math.max(mostInASecond, last - first + 1);
      }
      const span = (arrivals.at(-1) as number) - (arrivals[RATE - 1] as number);
      steadyRate.push(((arrivals.length - RATE) * 1_000) / span);
    }
    const unavailable = done.reduce((sum, result) => sum + result.unavailable, 0);
    return {
      label: admission,
      processes,
      calls,
      throttled,
      mostInASecond,
      steadyRate,
      wallRate: (calls * 1_000) / wallMs,
      unavailable,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const simulator of simulators) await simulator.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

export function nextMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`bench replica exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
}
