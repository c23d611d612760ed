import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  defaultAccountLimits,
  type OperationRecord,
} from '@unreel/core';
import type { RunningSimulator } from '@unreel/provider-kit/simulator';
import type { VideoProviderPluginV1, VideoProviderV1 } from '@unreel/provider-spec';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export interface SimulatorOperation {
  /** From submit until the operation is final. */
  ms: number;
  done: OperationRecord;
  provider: VideoProviderV1;
  /** The provider ids of the videos seeded for the operation. */
  nativeIds: string[];
  /** The account's rate when the operation ended (learned, if learning was on). */
  rate: number | undefined;
}

/**
 * One operation of `items` fresh videos through the engine (in-memory journal) against a plugin's simulator, with the
 * account's limits as `limits` says: what the provider benches time. The simulator's call log starts at the submit.
 */
export async function deleteThroughSimulator(options: {
  plugin: VideoProviderPluginV1<never>;
  settings: unknown;
  simulator: RunningSimulator;
  items: number;
  limits: Parameters<typeof defaultAccountLimits>[1];
}): Promise<SimulatorOperation> {
  const { plugin, simulator, items } = options;
  const nativeIds = await simulator.seed(Array.from({ length: items }, () => ({ state: 'READY' as const })));
  const validated = await plugin.settingsSchema['~standard'].validate(options.settings);
  if (validated.issues) throw new Error(`${plugin.id}: bench settings invalid: ${JSON.stringify(validated.issues)}`);
  const provider = plugin.create(validated.value, { account: 'bench', fetch: globalThis.fetch, logger: silent });
  const engine = new DeletionEngine({
    store: new InMemoryOperationStore(),
    bus: new InMemoryEventBus(),
    accounts: new AccountRegistry([
      {
        name: 'bench',
        pluginId: plugin.id,
        provider,
        limits: defaultAccountLimits(provider, options.limits),
        deleteDelayMs: 0,
      },
    ]),
    options: { maxIdsPerOperation: items },
  });
  simulator.resetCalls();
  const started = performance.now();
  const { operation } = await engine.submit({ tenant: 'default', ids: nativeIds.map((id) => `bench:${id}`) });
  const done = await engine.waitForOperation('default', operation.id, 600_000);
  const ms = performance.now() - started;
  const rate = engine.accountRates().get('bench')?.requestsPerSecond;
  await engine.close();
  await provider.doClose?.();
  return { ms, done, provider, nativeIds, rate };
}
