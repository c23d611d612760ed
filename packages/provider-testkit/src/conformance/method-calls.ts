import { expect } from 'vitest';
import { restoreSupport, type CallOptions, type VideoProviderV1 } from '@unreel/provider-spec';
import type { ConformanceSimulator } from '@unreel/provider-kit/simulator';
import { callOptions } from './call-options.js';

/** What one method's call acts on: the ids it names, seeded beforehand. */
interface CallTarget {
  ids: string[];
}

/**
 * One provider method as the failure cases drive it: what it needs seeded, one call, and what a call that worked
 * answers. `afterAmbiguous`: an earlier attempt may have taken effect already (its answer was lost), so the answer of
 * a call that finds the work done counts too (NOT_FOUND after a delete that went through).
 */
export interface MethodCall {
  name: 'doDeleteVideos' | 'doGetVideos' | 'doListVideos' | 'doRestoreVideo';
  implemented(provider: VideoProviderV1): boolean;
  /** Whether the plugin's client may retry a 5xx of this call itself: reads may be retried, writes never. */
  mayRetryReads: boolean;
  prepare(simulator: ConformanceSimulator, provider: VideoProviderV1): Promise<CallTarget>;
  call(provider: VideoProviderV1, target: CallTarget, options: CallOptions): Promise<unknown>;
  check(
    result: unknown,
    target: CallTarget,
    simulator: ConformanceSimulator,
    context: { afterAmbiguous: boolean },
  ): void;
}

async function seedReady(simulator: ConformanceSimulator): Promise<CallTarget> {
  return { ids: await simulator.seed([{ state: 'READY' }]) };
}

export const methodCalls: readonly MethodCall[] = [
  {
    name: 'doDeleteVideos',
    implemented: () => true,
    mayRetryReads: false,
    prepare: seedReady,
    call: (provider, { ids }, options) => provider.doDeleteVideos(ids, options),
    check(result, { ids }, simulator, { afterAmbiguous }) {
      const statuses = (result as { status: string }[]).map((outcome) => outcome.status);
      expect(statuses).toHaveLength(1);
      expect(afterAmbiguous ? ['DELETED', 'NOT_FOUND'] : ['DELETED']).toContain(statuses[0]);
      expect(simulator.stateOf(ids[0]!)).not.toBe('PRESENT');
    },
  },
  {
    name: 'doGetVideos',
    implemented: () => true,
    mayRetryReads: true,
    prepare: seedReady,
    call: (provider, { ids }, options) => provider.doGetVideos(ids, options),
    check(result, { ids }) {
      const videos = result as ({ id: string; status: string } | null)[];
      expect(videos).toHaveLength(1);
      expect(videos[0]?.id).toBe(ids[0]);
      expect(videos[0]?.status).toBe('READY');
    },
  },
  {
    name: 'doListVideos',
    implemented: (provider) => typeof provider.doListVideos === 'function',
    mayRetryReads: true,
    prepare: async () => ({ ids: [] }),
    call: (provider, _target, options) => provider.doListVideos!({ limit: 5 }, options),
    check(result) {
      const page = result as { items: unknown };
      expect(Array.isArray(page.items), 'a page has its items').toBe(true);
      expect((page.items as unknown[]).length).toBeGreaterThan(0);
    },
  },
  {
    name: 'doRestoreVideo',
    implemented: (provider) => restoreSupport(provider) !== false,
    // A restore may look the video up first, and such a read may be retried by the plugin's client.
    mayRetryReads: true,
    async prepare(simulator, provider) {
      const target = await seedReady(simulator);
      const [deleted] = await provider.doDeleteVideos(target.ids, callOptions());
      expect(deleted?.status).toBe('DELETED');
      return target;
    },
    call: (provider, { ids }, options) => provider.doRestoreVideo!(ids[0]!, options),
    check(result, { ids }, simulator, { afterAmbiguous }) {
      const { status } = result as { status: string };
      expect(afterAmbiguous ? ['RESTORED', 'NOT_FOUND'] : ['RESTORED']).toContain(status);
      expect(simulator.stateOf(ids[0]!)).toBe('PRESENT');
    },
  },
];
