import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  PostgresOperationStore,
  RedisDoorbellBus,
  ReleaseDoorbell,
  connectClusterRedis,
  describeRedis,
  redisAccountAdmission,
  redisPassword,
  type WaitReason,
} from '@unreel/cluster';
import {
  JournalUnavailableError,
  type AccountAdmissionFactory,
  type EventBus,
  type LeaseWorkOptions,
  type OperationStore,
} from '@unreel/core';
import type { ClusterConfig } from '../config/config-schema.js';
import type { SecretRegistry } from '../logging/secret-registry.js';

type Redis = Awaited<ReturnType<typeof connectClusterRedis>>;

/** Where the cluster's coordination reports to (UnreelMetrics implements it); every hook must not throw. */
export interface ClusterObserver {
  /** A doorbell from another replica arrived `lagMs` after it was rung. */
  doorbellLag(lagMs: number): void;
  /** A provider call waited for the account's shared limits, and why. */
  admissionWait(reason: WaitReason): void;
  /** Redis could not be used by `part` (admission: no provider call is made until it is back). */
  redisUnavailable(part: 'admission' | 'doorbells'): void;
}

/** A replica's doorbells rung while no one reads them are found by this poll: the bus's and waiting callers' both. */
const DOORBELL_POLL_MS = 1_000;
/** How often readiness asks PostgreSQL whether it answers (a replica with nothing to write would not find out). */
const JOURNAL_PING_MS = 1_000;

/** How often readiness asks Redis whether it answers; a ping fails after the connection's command timeout (2 s). */
const REDIS_PING_MS = 1_000;

/** Why a replica is not ready, for /readyz. */
interface ClusterUnready {
  status: 'redis-unavailable' | 'journal-unavailable';
  reason: string;
}

/**
 * What several replicas share besides the journal, built in one place from `cluster`: the engine's leased work, the
 * account admission in Redis and the Redis doorbell bus.
 */
export interface ClusterServices {
  /** This replica's name in its leases. */
  owner: string;
  /** The engine's cluster mode (DeletionEngineDeps.work). */
  work: LeaseWorkOptions;
  /** The admission's command connection; fails rather than queues while Redis is away (fail closed). */
  redis: Redis;
  /** The engine's event bus: Redis doorbells ring every replica's streams, which then re-read the journal. */
  bus: EventBus;
  /** Each account's limits, held in Redis across every replica (DeletionEngineDeps.admission). */
  admission: AccountAdmissionFactory;
  /** Why this replica cannot serve now (for /readyz), or undefined when it can. */
  unready(): ClusterUnready | undefined;
  /** After the engine's close: nothing calls the bus or the admission any more. */
  close(): Promise<void>;
}

/**
 * Connects Redis three times over (commands, the doorbell bus's publisher and subscriber, the release doorbell's
 * subscriber: a subscribed connection can do nothing else); an unreachable Redis stops the start with one line naming
 * `cluster.redis.url`.
 */
export async function openCluster(
  config: ClusterConfig,
  store: OperationStore,
  secrets: SecretRegistry,
  observer: ClusterObserver,
): Promise<ClusterServices> {
  if (!(store instanceof PostgresOperationStore)) {
    throw new Error('cluster needs journal.driver "postgres" (replicas share one PostgreSQL journal)');
  }
  const { url, keyPrefix } = config.redis;
  const password = redisPassword(url);
  if (password !== undefined) secrets.add(password);
  const unreachable = (error: unknown): Error => {
    const text = error instanceof Error ? error.message : String(error);
    const safe = password === undefined ? text : text.replaceAll(password, '[redacted]');
    return new Error(`cluster.redis.url (${describeRedis(url)}) cannot be reached: ${safe}`, { cause: error });
  };
  // Unique per process, readable in the journal: which host and process holds a lease.
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Named for CLIENT LIST: an operator (or a test) finds one replica's connections, and what each is for.
  const named = (use: string): string => `unreel:${owner}:${use}`.replaceAll(/\s/g, '_');
  let redis: Redis;
  let releases: Redis;
  try {
    [redis, releases] = await Promise.all([
      connectClusterRedis({ url, connectionName: named('admission') }),
      connectClusterRedis({ url, connectionName: named('releases') }),
    ]);
  } catch (error) {
    throw unreachable(error);
  }
  let bus: RedisDoorbellBus;
  try {
    bus = await RedisDoorbellBus.open({
      url,
      keyPrefix,
      pollIntervalMs: DOORBELL_POLL_MS,
      redis: { connectionName: named('doorbells') },
      observer: {
        doorbellReceived: (lagMs) => observer.doorbellLag(lagMs),
        publishFailed: () => observer.redisUnavailable('doorbells'),
      },
    });
  } catch (error) {
    redis.disconnect();
    releases.disconnect();
    throw unreachable(error);
  }
  const admission = redisAccountAdmission({
    redis,
    doorbell: new ReleaseDoorbell(releases),
    keyPrefix,
    // leaseMs is left to its default, each account's call timeout + 5 s: a live holder's call is aborted before its
    // permit could expire under it.
    onWait: (reason) => observer.admissionWait(reason),
    onUnavailable: () => observer.redisUnavailable('admission'),
  });
  // The engine's journal guard sees an outage only through a write; an idle replica must not answer ready meanwhile.
  let journalDown: string | undefined;
  let pinging = false;
  const ping = setInterval(() => {
    if (pinging) return;
    pinging = true;
    store
      .ping()
      .then(
        () => (journalDown = undefined),
        // The store's JournalUnavailableError says why in a word (refused, timeout, ...) and never names credentials.
        (error: unknown) => (journalDown = JournalUnavailableError.isInstance(error) ? error.reason : 'unreachable'),
      )
      .finally(() => (pinging = false));
  }, JOURNAL_PING_MS);
  ping.unref();
  // A Redis that stops answering (paused, hung, a network that drops packets) leaves its connections open, so their
  // status stays 'ready': only a command that times out tells. A replica with no work sends none, hence this ping.
  let redisSilent: string | undefined;
  let pingingRedis = false;
  const redisPing = setInterval(() => {
    if (pingingRedis || redis.status !== 'ready') return;
    pingingRedis = true;
    redis
      .ping()
      .then(
        () => (redisSilent = undefined),
        (error: unknown) => (redisSilent = /timed? ?out/i.test(String(error)) ? 'timeout' : 'unanswered'),
      )
      .finally(() => (pingingRedis = false));
  }, REDIS_PING_MS);
  redisPing.unref();
  return {
    owner,
    work: { leases: store, owner, leaseMs: config.leaseMs, worker: config.worker },
    redis,
    bus,
    admission,
    unready: () => {
      if (journalDown !== undefined) return { status: 'journal-unavailable', reason: journalDown };
      if (redis.status !== 'ready') return { status: 'redis-unavailable', reason: `redis-${redis.status}` };
      if (redisSilent !== undefined) return { status: 'redis-unavailable', reason: `redis-${redisSilent}` };
      return undefined;
    },
    async close() {
      clearInterval(ping);
      clearInterval(redisPing);
      bus.close();
      await Promise.all([redis, releases].map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  };
}
