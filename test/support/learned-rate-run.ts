import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  defaultAccountLimits,
} from '@unreel/core';
import type { VideoProviderPluginV1 } from '@unreel/provider-spec';
import type { RunningSimulator } from '@unreel/provider-kit/simulator';

export interface LearnedRateRun {
  /** Calls the simulator served, and how many of them it throttled (429 or 503: no other fault is planned). */
  calls: number;
  throttled: number;
  deleted: number;
  total: number;
  /** The account's rate when the operation finished, and every rate it kept to on the way. */
  finalRate: number | undefined;
  rates: number[];
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Deletes `count` fresh videos on `simulator` through the real plugin over HTTP (`baseUrl` may be a fault proxy in
 * front of it) and the engine, the account configured at `requestsPerSecond`; counts what the simulator served.
 */
export async function runLearnedRate(options: {
  plugin: VideoProviderPluginV1<never>;
  simulator: RunningSimulator;
  settings: Record<string, unknown>;
  requestsPerSecond: number;
  count: number;
}): Promise<LearnedRateRun> {
  const { plugin, simulator } = options;
  const nativeIds = await simulator.seed(Array.from({ length: options.count }, () => ({ state: 'READY' as const })));
  const validated = await plugin.settingsSchema['~standard'].validate(options.settings);
  if (validated.issues) throw new Error(`settings invalid: ${JSON.stringify(validated.issues)}`);
  const provider = plugin.create(validated.value, { account: 'acct', fetch: globalThis.fetch, logger: silent });
  const rates: number[] = [];
  const engine = new DeletionEngine({
    store: new InMemoryOperationStore(),
    bus: new InMemoryEventBus(),
    accounts: new AccountRegistry([
      {
        name: 'acct',
        pluginId: plugin.id,
        provider,
        limits: defaultAccountLimits(provider, { requestsPerSecond: options.requestsPerSecond }),
        deleteDelayMs: 0,
      },
    ]),
    observer: { providerCall() {}, retry() {}, items() {}, rateChanged: ({ to }) => rates.push(to) },
    options: { maxIdsPerOperation: options.count },
  });
  try {
    simulator.resetCalls();
    const { operation } = await engine.submit({ tenant: 'default', ids: nativeIds.map((id) => `acct:${id}`) });
    const done = await engine.waitForOperation('default', operation.id, 120_000);
    const served = simulator.calls();
    return {
      calls: served.length,
      throttled: served.filter((call) => call.status === 429 || call.status === 503).length,
      deleted: done.deleted,
      total: done.total,
      finalRate: engine.accountRates().get('acct')?.requestsPerSecond,
      rates,
    };
  } finally {
    await engine.close();
    await provider.doClose?.();
  }
}
