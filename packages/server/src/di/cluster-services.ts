import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { PostgresOperationStore, connectClusterRedis, describeRedis, redisPassword } from '@unreel/cluster';
import {
  InMemoryEventBus,
  type AccountAdmissionFactory,
  type EventBus,
  type LeaseWorkOptions,
  type OperationStore,
} from '@unreel/core';
import type { ClusterConfig } from '../config/config-schema.js';
import type { SecretRegistry } from '../logging/secret-registry.js';

type Redis = Awaited<ReturnType<typeof connectClusterRedis>>;

/**
 * What several replicas share besides the journal, built in one place from `cluster`: the engine's leased work now;
 * the shared account admission and the event bus's doorbells go here too, on the same Redis connection.
 */
export interface ClusterServices {
  /** This replica's name in its leases. */
  owner: string;
  /** The engine's cluster mode (DeletionEngineDeps.work). */
  work: LeaseWorkOptions;
  /** Connected at start; not yet used for anything else (admission and doorbells come on it). */
  redis: Redis;
  /**
   * The engine's event bus. In-process for now, so a stream hears only this replica's writes; the Redis doorbell bus
   * (which rings every replica's subscribers) is built here.
   */
  bus: EventBus;
  /**
   * Where each account's limits are kept (DeletionEngineDeps.admission). Undefined for now: each replica keeps its own
   * in-process limits; the shared Redis admission (redisAccountAdmission on `redis`) is built here.
   */
  admission: AccountAdmissionFactory | undefined;
  /** Why this replica cannot serve now (for /readyz), or undefined when it can. */
  unready(): string | undefined;
  close(): Promise<void>;
}

/**
 * Connects Redis (an unreachable one stops the start with one line naming `cluster.redis.url`) and sets up the work
 * leases on the PostgreSQL journal, which the config check already required.
 */
export async function openCluster(
  config: ClusterConfig,
  store: OperationStore,
  secrets: SecretRegistry,
): Promise<ClusterServices> {
  if (!(store instanceof PostgresOperationStore)) {
    throw new Error('cluster needs journal.driver "postgres" (replicas share one PostgreSQL journal)');
  }
  const password = redisPassword(config.redis.url);
  if (password !== undefined) secrets.add(password);
  let redis: Redis;
  try {
    redis = await connectClusterRedis({ url: config.redis.url });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const safe = password === undefined ? text : text.replaceAll(password, '[redacted]');
    throw new Error(`cluster.redis.url (${describeRedis(config.redis.url)}) cannot be reached: ${safe}`, {
      cause: error,
    });
  }
  // Unique per process, readable in the journal: which host and process holds a lease.
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  return {
    owner,
    work: { leases: store, owner, leaseMs: config.leaseMs, worker: config.worker },
    redis,
    bus: new InMemoryEventBus(),
    admission: undefined,
    unready: () => (redis.status === 'ready' ? undefined : `redis-${redis.status}`),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
