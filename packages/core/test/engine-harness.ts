import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  defaultAccountLimits,
  type AccountAdmissionFactory,
  type AccountLimits,
  type EngineLogger,
  type EngineObserver,
  type EngineOptions,
  type LearnedRateStore,
  type OperationStore,
  type ProgressEvent,
  type WhenBlocked,
} from '../src/index.js';
import { FakeProvider } from './fake-provider.js';

export interface Harness {
  engine: DeletionEngine;
  store: OperationStore;
  provider: FakeProvider;
}

export function harness(
  options: {
    limits?: Partial<AccountLimits>;
    provider?: FakeProvider;
    deleteDelayMs?: number;
    whenBlocked?: WhenBlocked;
    store?: OperationStore;
    rates?: LearnedRateStore;
    maxIdsPerOperation?: number;
    engineOptions?: Partial<EngineOptions>;
    observer?: EngineObserver;
    logger?: EngineLogger;
    now?: () => Date;
    admission?: AccountAdmissionFactory;
  } = {},
): Harness {
  const provider = options.provider ?? new FakeProvider();
  const store = options.store ?? new InMemoryOperationStore();
  const accounts = new AccountRegistry([
    {
      name: 'acc',
      pluginId: 'fake',
      provider,
      limits: defaultAccountLimits(provider, { backoffBaseMs: 1, backoffMaxMs: 5, ...options.limits }),
      deleteDelayMs: options.deleteDelayMs ?? 0,
      ...(options.whenBlocked ? { whenBlocked: options.whenBlocked } : {}),
    },
  ]);
  const engine = new DeletionEngine({
    store,
    bus: new InMemoryEventBus(),
    accounts,
    ...(options.now ? { now: options.now } : {}),
    ...(options.rates ? { rates: options.rates } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.admission ? { admission: options.admission } : {}),
    options: {
      ...(options.maxIdsPerOperation ? { maxIdsPerOperation: options.maxIdsPerOperation } : {}),
      ...options.engineOptions,
    },
  });
  return { engine, store, provider };
}

export function ids(count: number, prefix = 'v'): string[] {
  return Array.from({ length: count }, (_, index) => `acc:${prefix}${index + 1}`);
}

export async function drain(iterator: AsyncIterableIterator<ProgressEvent>): Promise<ProgressEvent[]> {
  const events: ProgressEvent[] = [];
  for await (const event of iterator) events.push(event);
  return events;
}
