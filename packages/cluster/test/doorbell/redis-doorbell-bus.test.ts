import { randomBytes } from 'node:crypto';
import {
  AccountRegistry,
  DeletionEngine,
  ProgressFeed,
  defaultAccountLimits,
  operationKey,
  type ProgressEvent,
} from '@unreel/core';
import type { CallOptions, DeleteOutcome } from '@unreel/provider-spec';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeProvider } from '../../../core/test/fake-provider.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres-database.js';
import { startTcpRelay } from '../../../../test/support/tcp-relay.js';
import { PostgresOperationStore, RedisDoorbellBus, type RedisDoorbellBusOptions } from '../../src/index.js';

const REDIS_URL = process.env['UNREEL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const IDS = 200;
const BATCH = 10;
/** Long enough that a test relying on doorbells or rings cannot be passed by the poll. */
const NO_POLL = 600_000;
const WAIT = { timeout: 20_000, interval: 20 };

/** A provider that answers a call only when the test lets it: the operation is exactly as far along as a test says. */
class Turnstile extends FakeProvider {
  private permits = 0;
  private readonly queue: (() => void)[] = [];

  constructor() {
    super({ maxBatchSize: BATCH });
  }

  allow(calls: number): void {
    this.permits += calls;
    while (this.permits > 0 && this.queue.length > 0) {
      this.permits -= 1;
      this.queue.shift()?.();
    }
  }

  override async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    if (this.permits > 0) this.permits -= 1;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    return super.doDeleteVideos(ids, options);
  }
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let schemas = 0;

/** Two replicas on one journal and one Redis: A runs the operation, B only follows it. */
async function twoReplicas(options: {
  pollIntervalMs: number;
  /** Where B reaches Redis (a relay the test can cut), when not straight. */
  redisUrlB?: string;
}) {
  const schema = `doorbell_${(schemas += 1)}`;
  const keyPrefix = `unreel-test:${randomBytes(6).toString('hex')}:`;
  const name = `doorbell-test-${randomBytes(4).toString('hex')}`;
  const stats = { lags: [] as number[], resubscribed: 0, publishFailed: 0 };
  const storeA = await PostgresOperationStore.open({ url: database.url, schema, poolSize: 3 });
  const storeB = await PostgresOperationStore.open({ url: database.url, schema, poolSize: 3 });
  const busOptions = (url: string, replica: string): RedisDoorbellBusOptions => ({
    url,
    keyPrefix,
    pollIntervalMs: options.pollIntervalMs,
    redis: { connectionName: `${name}-${replica}` },
    observer:
      replica === 'b'
        ? {
            doorbellReceived: (lag) => void stats.lags.push(lag),
            resubscribed: () => void (stats.resubscribed += 1),
          }
        : { publishFailed: () => void (stats.publishFailed += 1) },
  });
  const busA = await RedisDoorbellBus.open(busOptions(REDIS_URL, 'a'));
  const busB = await RedisDoorbellBus.open(busOptions(options.redisUrlB ?? REDIS_URL, 'b'));
  const provider = new Turnstile();
  const accounts = new AccountRegistry([
    {
      name: 'acc',
      pluginId: 'fake',
      provider,
      limits: defaultAccountLimits(provider, { concurrency: 1, backoffBaseMs: 1, backoffMaxMs: 5 }),
      deleteDelayMs: 0,
    },
  ]);
  const engine = new DeletionEngine({ store: storeA, bus: busA, accounts });
  cleanups.push(
    async () => {
      provider.allow(Number.MAX_SAFE_INTEGER);
      await engine.close();
    },
    () => storeA.close(),
    () => storeB.close(),
    () => busA.close(),
    () => busB.close(),
  );
  return { engine, provider, storeB, busB, stats, name };
}

/** Everything a cursor on B reads, as it reads it. */
function follow(feed: ProgressFeed<ProgressEvent>, after: number): { seen: number[]; done: Promise<void> } {
  const seen: number[] = [];
  const done = (async () => {
    let cursor = after;
    for (;;) {
      const read = await feed.read(cursor);
      if ('done' in read) return;
      seen.push(...read.items.map((event) => event.sequence));
      cursor = read.last;
    }
  })();
  return { seen, done };
}

function feedOn(replica: Awaited<ReturnType<typeof twoReplicas>>, operationId: string): ProgressFeed<ProgressEvent> {
  const feed = new ProgressFeed<ProgressEvent>({
    store: replica.storeB,
    bus: replica.busB,
    key: operationKey('t', operationId),
    pageSize: 50,
    cachedPages: 2,
    transform: (events) => events,
  });
  cleanups.push(() => feed.close());
  return feed;
}

const ids = Array.from({ length: IDS }, (_, index) => `acc:v${index + 1}`);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, index) => from + index + 1);

async function admin<T>(run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL);
  try {
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

describe('RedisDoorbellBus', () => {
  it('rejects at open with where Redis is and why, never the password, when it cannot be reached', async () => {
    // Nothing listens on port 1: as when Redis is down.
    const error: unknown = await RedisDoorbellBus.open({
      url: 'redis://unreel:s3cret-Passw0rd@127.0.0.1:1/2',
      keyPrefix: 'unreel-test:',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Redis redis:\/\/127\.0\.0\.1:1\/2 cannot be reached: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('lets a feed on another replica follow an operation gaplessly, woken by doorbells alone', async () => {
    const replicas = await twoReplicas({ pollIntervalMs: NO_POLL });
    const feed = feedOn(replicas, 'op');
    // Subscribed before the operation exists: the "created" doorbell is what starts them.
    const first = follow(feed, 0);
    const second = follow(feed, 0);
    await replicas.engine.submit({ tenant: 't', ids, operationId: 'op' });
    const late = follow(feed, 50);
    replicas.provider.allow(IDS / BATCH);
    await Promise.all([first.done, second.done, late.done]);
    expect(first.seen).toEqual(range(0, IDS));
    expect(second.seen).toEqual(range(0, IDS));
    expect(late.seen).toEqual(range(50, IDS));
    expect(replicas.stats.lags.length).toBeGreaterThan(0);
  });

  it('loses no event when its subscriber connection is killed mid-stream, ringing every feed once subscribed again', async () => {
    const replicas = await twoReplicas({ pollIntervalMs: NO_POLL });
    const feed = feedOn(replicas, 'killed');
    const reader = follow(feed, 0);
    await replicas.engine.submit({ tenant: 't', ids, operationId: 'killed' });
    replicas.provider.allow(5);
    await vi.waitFor(() => expect(reader.seen.length).toBe(50), WAIT);
    const killed = await admin(async (redis) => {
      const clients = (await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const ours = clients.split('\n').filter((line) => line.includes(` name=${replicas.name}-b `));
      for (const line of ours) await redis.call('CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(line)?.[1] ?? '0');
      return ours.length;
    });
    expect(killed).toBe(1);
    // Written while the connection is away: no doorbell reaches B for them, only the ring after it subscribes again.
    replicas.provider.allow(5);
    await vi.waitFor(() => expect(replicas.stats.resubscribed).toBe(1), WAIT);
    await vi.waitFor(() => expect(reader.seen.length).toBe(100), WAIT);
    const doorbellsBefore = replicas.stats.lags.length;
    replicas.provider.allow(IDS / BATCH - 10);
    await reader.done;
    expect(reader.seen).toEqual(range(0, IDS));
    // And then doorbells again.
    expect(replicas.stats.lags.length).toBeGreaterThan(doorbellsBefore);
  });

  it('delivers by polling while Redis cannot be reached, then by doorbells again', async () => {
    const relay = await startTcpRelay({
      host: new URL(REDIS_URL).hostname,
      port: Number(new URL(REDIS_URL).port || 6379),
    });
    cleanups.push(() => relay.close());
    const viaRelay = new URL(REDIS_URL);
    viaRelay.port = String(relay.port);
    const replicas = await twoReplicas({ pollIntervalMs: 100, redisUrlB: viaRelay.toString() });
    const feed = feedOn(replicas, 'polled');
    const reader = follow(feed, 0);
    await replicas.engine.submit({ tenant: 't', ids, operationId: 'polled' });
    replicas.provider.allow(5);
    await vi.waitFor(() => expect(reader.seen.length).toBe(50), WAIT);
    await relay.cut();
    replicas.provider.allow(5);
    // B hears nothing from Redis now: only its poll can find these.
    await vi.waitFor(() => expect(reader.seen.length).toBe(100), WAIT);
    expect(replicas.stats.resubscribed).toBe(0);
    await relay.restore();
    await vi.waitFor(() => expect(replicas.stats.resubscribed).toBe(1), WAIT);
    const doorbellsBefore = replicas.stats.lags.length;
    replicas.provider.allow(IDS / BATCH - 10);
    await reader.done;
    expect(reader.seen).toEqual(range(0, IDS));
    expect(replicas.stats.lags.length).toBeGreaterThan(doorbellsBefore);
  });

  it('rings every local feed once subscribed again, so doorbells rung while it was away are not missed', async () => {
    const relay = await startTcpRelay({
      host: new URL(REDIS_URL).hostname,
      port: Number(new URL(REDIS_URL).port || 6379),
    });
    cleanups.push(() => relay.close());
    const viaRelay = new URL(REDIS_URL);
    viaRelay.port = String(relay.port);
    // No poll: after the outage only the ring can tell B that the journal grew meanwhile.
    const replicas = await twoReplicas({ pollIntervalMs: NO_POLL, redisUrlB: viaRelay.toString() });
    const feed = feedOn(replicas, 'rung');
    const reader = follow(feed, 0);
    await replicas.engine.submit({ tenant: 't', ids, operationId: 'rung' });
    replicas.provider.allow(5);
    await vi.waitFor(() => expect(reader.seen.length).toBe(50), WAIT);
    await relay.cut();
    replicas.provider.allow(IDS / BATCH - 5);
    await vi.waitFor(
      async () => expect((await replicas.engine.getOperation('t', 'rung'))?.status).toBe('SUCCEEDED'),
      WAIT,
    );
    await relay.restore();
    await reader.done;
    expect(reader.seen).toEqual(range(0, IDS));
    expect(replicas.stats.resubscribed).toBe(1);
  });

  it('loses no event while Redis is paused', async () => {
    const replicas = await twoReplicas({ pollIntervalMs: 100 });
    const feed = feedOn(replicas, 'paused');
    const reader = follow(feed, 0);
    await replicas.engine.submit({ tenant: 't', ids, operationId: 'paused' });
    replicas.provider.allow(5);
    await vi.waitFor(() => expect(reader.seen.length).toBe(50), WAIT);
    // Writes (PUBLISH among them) wait 1.5 s; other tests' reads on this Redis go on.
    await admin((redis) => redis.call('CLIENT', 'PAUSE', '1500', 'WRITE'));
    replicas.provider.allow(IDS / BATCH - 5);
    await reader.done;
    expect(reader.seen).toEqual(range(0, IDS));
  });
});
