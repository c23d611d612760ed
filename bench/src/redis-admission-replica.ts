// One replica of the redis-admission bench: its own process, engine and Redis connection, deleting its share of the
// ids of every account through ApsaraVideo VOD simulators while Redis admits its calls. Driven over IPC (the ids are
// too many for an environment variable): its job, `ready` once connected, then `go`, then its result.
import { Redis } from 'ioredis';
import aliyunVod from '@unreel/plugin-aliyun-vod';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  defaultAccountLimits,
  type Account,
  type AccountAdmissionFactory,
} from '@unreel/core';
import { ReleaseDoorbell, redisAccountAdmission } from '@unreel/cluster';
import type { VideoProviderV1 } from '@unreel/provider-spec';

export interface ReplicaJob {
  /** `in-process`: the engine's default admission, the baseline (one process only: nothing is shared). */
  admission: 'redis' | 'in-process';
  /**
   * With the Redis admission: `shared` (default), one learned rate kept in Redis for every replica; `per-replica`,
   * each replica learns its own from its own calls (what unreel did before), the window in Redis kept to each's rate.
   */
  learning?: 'shared' | 'per-replica';
  redisUrl: string;
  keyPrefix: string;
  accounts: {
    name: string;
    settings: Record<string, unknown>;
    requestsPerSecond: number;
    concurrency: number;
    ids: string[];
  }[];
}

export interface ReplicaResult {
  type: 'done';
  deleted: number;
  total: number;
  unavailable: number;
  /** Each account's rate when the operation finished, as this replica keeps to it. */
  rates: Record<string, number | undefined>;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const job = await new Promise<ReplicaJob>((resolve) => process.once('message', resolve));

const redis = new Redis(job.redisUrl, {
  lazyConnect: true,
  enableOfflineQueue: false,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
});
redis.on('error', () => {});
await redis.connect();
// Subscriber mode needs a connection of its own.
const subscriber = new Redis(job.redisUrl);
subscriber.on('error', () => {});
const doorbell = new ReleaseDoorbell(subscriber);
const providers: VideoProviderV1[] = [];
const accounts: Account[] = [];
for (const account of job.accounts) {
  const validated = await aliyunVod.settingsSchema['~standard'].validate(account.settings);
  if (validated.issues) throw new Error(`settings of ${account.name} invalid: ${JSON.stringify(validated.issues)}`);
  const provider = aliyunVod.create(validated.value, {
    account: account.name,
    fetch: globalThis.fetch,
    logger: silent,
  });
  providers.push(provider);
  accounts.push({
    name: account.name,
    pluginId: aliyunVod.id,
    provider,
    limits: defaultAccountLimits(provider, {
      requestsPerSecond: account.requestsPerSecond,
      concurrency: account.concurrency,
    }),
    deleteDelayMs: 0,
  });
}
let unavailable = 0;
/** Per replica: the admission is not told the rate is learned, so it keeps none, and each gate learns its own. */
function perReplicaLearning(factory: AccountAdmissionFactory): AccountAdmissionFactory {
  if (job.learning !== 'per-replica') return factory;
  return (context) =>
    factory({ ...context, account: { ...context.account, limits: { ...context.account.limits, learnRate: false } } });
}
const engine = new DeletionEngine({
  store: new InMemoryOperationStore(),
  bus: new InMemoryEventBus(),
  accounts: new AccountRegistry(accounts),
  admission:
    job.admission === 'redis'
      ? perReplicaLearning(
          redisAccountAdmission({ redis, doorbell, keyPrefix: job.keyPrefix, onUnavailable: () => (unavailable += 1) }),
        )
      : undefined,
  options: { maxIdsPerOperation: 1_000_000 },
});

process.send?.({ type: 'ready' });
await new Promise((resolve) => process.once('message', resolve));
const ids = job.accounts.flatMap((account) => account.ids.map((id) => `${account.name}:${id}`));
const { operation } = await engine.submit({ tenant: 'default', ids });
const done = await engine.waitForOperation('default', operation.id, 600_000);
const rates = Object.fromEntries([...engine.accountRates()].map(([name, rate]) => [name, rate.requestsPerSecond]));
await engine.close();
for (const provider of providers) await provider.doClose?.();
redis.disconnect();
subscriber.disconnect();
const result: ReplicaResult = { type: 'done', deleted: done.deleted, total: done.total, unavailable, rates };
process.send?.(result);
process.disconnect?.();
