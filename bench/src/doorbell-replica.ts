import { PostgresOperationStore, RedisDoorbellBus } from '@unreel/cluster';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  ProgressFeed,
  defaultAccountLimits,
  operationKey,
  type EventBus,
  type OperationStore,
  type ProgressEvent,
} from '@unreel/core';
import sandbox, { SandboxLibrary, sandboxSettingsSchema } from '@unreel/plugin-sandbox';

/**
 * One replica of the doorbell bench, forked with an IPC channel: `writer` runs the operation through its engine,
 * `follower` reads it from another process through a ProgressFeed, `both` does both in one process on the in-process
 * bus (the baseline). Times are `performance.timeOrigin + performance.now()`, comparable across processes of a host.
 */
export interface ReplicaArgs {
  role: 'writer' | 'follower' | 'both';
  url: string;
  schema: string;
  redisUrl: string;
  keyPrefix: string;
  items: number;
  operationId: string;
}

/** What a replica reports: when each publish left (its last sequence) and when each sequence was delivered. */
export interface ReplicaReport {
  published?: [sequence: number, at: number][];
  delivered?: number[];
  doorbells?: number;
}

const TENANT = 'default';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const now = (): number => performance.timeOrigin + performance.now();

/** A bus that notes when each publish leaves, for the latency of everything after it. */
function timed(inner: EventBus, published: [number, number][]): EventBus {
  return {
    pollIntervalMs: inner.pollIntervalMs,
    publish(key, events) {
      const last = events.at(-1)?.sequence;
      if (last !== undefined) published.push([last, now()]);
      inner.publish(key, events);
    },
    subscribe: (key, listener) => inner.subscribe(key, listener),
    publishOperationCreated: (key) => inner.publishOperationCreated(key),
    onOperationCreated: (key, listener) => inner.onOperationCreated(key, listener),
  };
}

async function write(args: ReplicaArgs, store: OperationStore, bus: EventBus): Promise<void> {
  const settings = sandboxSettingsSchema.parse({
    videoCount: args.items,
    seed: 1,
    latencyMs: [0, 0],
    batchSize: 25,
    processingRatio: 0,
    forbiddenRatio: 0,
  });
  const ids = new SandboxLibrary(settings).order.map((id) => `bench:${id}`);
  const provider = sandbox.create(settings, { account: 'bench', fetch: globalThis.fetch, logger: silent });
  const engine = new DeletionEngine({
    store,
    bus,
    accounts: new AccountRegistry([
      { name: 'bench', pluginId: 'sandbox', provider, limits: defaultAccountLimits(provider), deleteDelayMs: 0 },
    ]),
    options: { maxIdsPerOperation: args.items },
  });
  const { operation } = await engine.submit({ tenant: TENANT, ids, operationId: args.operationId });
  await engine.waitForOperation(TENANT, operation.id, 600_000);
  await engine.close();
}

async function follow(args: ReplicaArgs, store: OperationStore, bus: EventBus, ready: () => void): Promise<number[]> {
  const feed = new ProgressFeed<ProgressEvent>({
    store,
    bus,
    key: operationKey(TENANT, args.operationId),
    pageSize: 500,
    cachedPages: 4,
    transform: (events) => events,
  });
  const delivered: number[] = [];
  let cursor = 0;
  const first = feed.read(cursor);
  ready();
  for (let read = await first; !('done' in read); read = await feed.read(cursor)) {
    const at = now();
    for (let index = 0; index < read.items.length; index += 1) delivered.push(at);
    cursor = read.last;
  }
  feed.close();
  if (delivered.length !== args.items) throw new Error(`delivered ${delivered.length} of ${args.items}`);
  return delivered;
}

async function main(args: ReplicaArgs): Promise<ReplicaReport> {
  const store = await PostgresOperationStore.open({ url: args.url, schema: args.schema, poolSize: 10 });
  const send = (message: unknown): void => void process.send?.(message);
  try {
    if (args.role === 'both') {
      const published: [number, number][] = [];
      const bus = timed(new InMemoryEventBus(), published);
      const following = follow(args, store, bus, () => send({ ready: true }));
      await write(args, store, bus);
      return { published, delivered: await following };
    }
    let doorbells = 0;
    const bus = await RedisDoorbellBus.open({
      url: args.redisUrl,
      keyPrefix: args.keyPrefix,
      observer: { doorbellReceived: () => void (doorbells += 1) },
    });
    try {
      if (args.role === 'follower') {
        const delivered = await follow(args, store, bus, () => send({ ready: true }));
        return { delivered, doorbells };
      }
      const published: [number, number][] = [];
      await write(args, store, timed(bus, published));
      return { published };
    } finally {
      bus.close();
    }
  } finally {
    await store.close();
  }
}

process.once('message', (args: ReplicaArgs) => {
  main(args).then(
    (report) => process.send?.({ report }, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
