import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { REDIS_URL, RedisScope } from './redis-test-support.js';

const REPLICA = fileURLToPath(new URL('fixtures/admission-replica.mjs', import.meta.url));
const RATE = 30;
const REPLICAS = 3;
/**
 * ApsaraVideo deletes 20 ids a call: 3 × 2,000 ids are 300 calls, ten seconds at the rate (long enough that a moment
 * of load on a busy machine does not decide the average).
 */
const IDS_PER_REPLICA = 2_000;

let simulator: AliyunVodSimulator | undefined;
let scope: RedisScope | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await simulator?.close();
  simulator = undefined;
  await scope?.close();
});

interface ReplicaResult {
  deleted: number;
  total: number;
  status: string;
  unavailable: number;
}

function startReplica(job: unknown): { child: ChildProcess; ready: Promise<void>; done: Promise<ReplicaResult> } {
  const child = fork(REPLICA, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  child.send(job as object);
  const messages = new Map<string, (message: unknown) => void>();
  const wait = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      messages.set(type, resolve as (message: unknown) => void);
      child.once('exit', (code) => reject(new Error(`replica exited with ${code} before "${type}"`)));
    });
  const ready = wait<void>('ready');
  const done = wait<ReplicaResult>('done');
  // Awaited only once ready: a replica that dies before it must fail the test there, not as an unhandled rejection.
  done.catch(() => {});
  child.on('message', (message: { type: string }) => messages.get(message.type)?.(message));
  return { child, ready, done };
}

describe('three processes share one account through Redis', () => {
  it('keep to its rate together: 0 throttled, no rolling second over the rate', { timeout: 90_000 }, async () => {
    // The provider counts a rolling second at arrival, the strictest a provider does.
    simulator = await startSimulator({
      videoCount: 0,
      processingRatio: 0,
      forbiddenRatio: 0,
      rateLimit: { limit: RATE, windowMs: 1_000, rolling: true },
    });
    scope = new RedisScope();
    const ids = await simulator.seed(
      Array.from({ length: IDS_PER_REPLICA * REPLICAS }, () => ({ state: 'READY' as const })),
    );
    const replicas = Array.from({ length: REPLICAS }, (_, index) =>
      startReplica({
        redisUrl: REDIS_URL,
        keyPrefix: (scope as RedisScope).prefix,
        accounts: [
          {
            name: 'vod',
            settings: {
              ...(simulator as AliyunVodSimulator).credentials,
              endpoint: (simulator as AliyunVodSimulator).url,
            },
            requestsPerSecond: RATE,
            concurrency: 6,
            ids: ids.slice(index * IDS_PER_REPLICA, (index + 1) * IDS_PER_REPLICA),
          },
        ],
      }),
    );
    await Promise.all(replicas.map((replica) => replica.ready));
    simulator.resetCalls();
    for (const replica of replicas) replica.child.send('go');
    const results = await Promise.all(replicas.map((replica) => replica.done));

    for (const result of results) {
      expect(result).toMatchObject({ deleted: IDS_PER_REPLICA, total: IDS_PER_REPLICA, status: 'SUCCEEDED' });
      expect(result.unavailable).toBe(0);
    }
    const calls = simulator.calls();
    expect(calls.filter((call) => call.status !== 200)).toEqual([]);
    expect(calls.length).toBe((IDS_PER_REPLICA * REPLICAS) / 20);
    const arrivals = calls.map((call) => call.at).toSorted((a, b) => a - b);
    for (const at of arrivals) {
      expect(arrivals.filter((other) => other > at - 1_000 && other <= at).length).toBeLessThanOrEqual(RATE);
    }
    // How much of the rate they spend together is a speed, which a loaded machine lowers (each call holds its place
    // until its answer): `pnpm bench redis-admission` prints it against the limit; a test asserts the limits.
  });
});
