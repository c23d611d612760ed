import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  restoreSupport,
  type DeleteOutcome,
  type ProviderVideo,
  type ProviderVideoStatus,
  type VideoFilter,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import { createSecretRedactor, videoMatchesFilter } from '@unreel/provider-kit';
import type { ConformanceSimulator } from '@unreel/provider-kit/simulator';
import { startFaultProxy, type FaultProxy } from '../fault-proxy/index.js';
import { defineFailureCases } from './define-failure-cases.js';
import type { ProviderConformanceOptions } from './provider-conformance-options.js';
import { callOptions } from './call-options.js';
import { CapturingLogger } from './capturing-logger.js';
import { errorText } from './error-text.js';
import { providerRejection } from './provider-rejection.js';
import { secretValues } from './secret-values.js';
import { validateSettings } from './validate-settings.js';

/**
 * The one suite every provider plugin passes, against its own simulator over real HTTP: the host (the deletion
 * engine) relies on exactly these behaviours. Call it at the top level of a vitest test file.
 */
export function defineProviderConformanceSuite<Settings, Sim extends ConformanceSimulator>(
  options: ProviderConformanceOptions<Settings, Sim>,
): void {
  const { plugin } = options;
  const inProcessing = options.inProcessing ?? 'refused';
  const forbidden = options.forbidden ?? true;
  const throttleSaysWhen = options.throttleSaysWhen ?? true;
  const credentials = options.credentials ?? true;
  const useFaultProxy = options.faultProxy ?? true;

  describe(options.name ?? `${plugin.id} provider conformance`, () => {
    let simulator: Sim;
    let provider: VideoProviderV1;
    let wrongProvider: VideoProviderV1;
    let right: Settings;
    let wrong: Settings;
    let proxied: { provider: VideoProviderV1; proxy: FaultProxy; settings: Settings } | undefined;
    const logger = new CapturingLogger();

    beforeAll(async () => {
      simulator = await options.simulator();
      right = await validateSettings(plugin, options.settings(simulator, { wrongCredentials: false }));
      wrong = await validateSettings(plugin, options.settings(simulator, { wrongCredentials: true }));
      const context = { account: 'conformance', fetch: globalThis.fetch, logger };
      provider = plugin.create(right, context);
      wrongProvider = plugin.create(wrong, { ...context, account: 'conformance-wrong' });
      const url = (simulator as { url?: unknown }).url;
      if (useFaultProxy && typeof url === 'string') {
        // The same simulator behind a proxy that breaks answers on purpose, for the timeout and unreadable-body cases.
        const proxy = await startFaultProxy({ target: url, keepHost: true });
        const settings = await validateSettings(
          plugin,
          options.settings(withUrl(simulator, proxy.url), { wrongCredentials: false }),
        );
        proxied = {
          proxy,
          settings,
          provider: plugin.create(settings, { ...context, account: 'conformance-proxied' }),
        };
      }
    });

    /** Read when checked, not once: a simulator may issue credentials (bearer tokens) while the suite runs. */
    function secrets(): string[] {
      return (
        options.secrets?.(simulator) ?? [
          ...secretValues(right, plugin.secretSettings),
          ...secretValues(wrong, plugin.secretSettings),
          ...(proxied ? secretValues(proxied.settings, plugin.secretSettings) : []),
        ]
      );
    }

    /** Whether the text shows a credential as it is, percent-encoded or base64-encoded (a Basic header's pair too). */
    function exposesSecret(text: string): boolean {
      const list = secrets();
      return list.some((secret) => text.includes(secret)) || createSecretRedactor(list).exposes(text);
    }

    function expectNoSecret(error: Error): void {
      expect(exposesSecret(errorText(error)), 'a credential (or an encoding of one) appears in an error').toBe(false);
    }

    afterAll(async () => {
      await provider?.doClose?.();
      await wrongProvider?.doClose?.();
      await proxied?.provider.doClose?.();
      await proxied?.proxy.close();
      await simulator?.close();
    });

    /** Deletes in calls of at most maxBatchSize ids, as the host does, and returns the outcomes in order. */
    async function deleteAll(ids: readonly string[]): Promise<DeleteOutcome[]> {
      const size = provider.capabilities.maxBatchSize;
      const outcomes: DeleteOutcome[] = [];
      for (let start = 0; start < ids.length; start += size) {
        outcomes.push(...(await provider.doDeleteVideos(ids.slice(start, start + size), callOptions())));
      }
      return outcomes;
    }

    function callsWithIds(since: number) {
      return simulator
        .calls()
        .slice(since)
        .filter((call) => call.ids.length > 0);
    }

    describe('plugin', () => {
      it('declares spec v1, a kebab-case id and a Standard Schema for its settings', async () => {
        expect(plugin.specificationVersion).toBe('v1');
        expect(plugin.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        const result = await plugin.settingsSchema['~standard'].validate(null);
        expect(result.issues?.length ?? 0, 'settings of the wrong type must be refused').toBeGreaterThan(0);
      });

      it('creates a v1 provider whose capabilities the host can plan with', () => {
        expect(provider.specificationVersion).toBe('v1');
        expect(provider.provider).toBe(plugin.id);
        const { maxBatchSize, restore, requestsPerSecond, maxLookupBatchSize } = provider.capabilities;
        expect(Number.isInteger(maxBatchSize) && maxBatchSize >= 1).toBe(true);
        if (requestsPerSecond !== undefined) expect(requestsPerSecond).toBeGreaterThan(0);
        if (maxLookupBatchSize !== undefined)
          expect(Number.isInteger(maxLookupBatchSize) && maxLookupBatchSize >= 1).toBe(true);
        // The host offers restore exactly when the provider can do it: declared, and a method to do it with.
        expect(typeof provider.doRestoreVideo === 'function', 'doRestoreVideo is there exactly when restore is').toBe(
          restore !== false,
        );
        expect(restoreSupport(provider)).toEqual(restore);
      });
    });

    describe('doDeleteVideos', () => {
      it('deletes one video', async () => {
        const [id] = (await simulator.seed([{ state: 'READY' }])) as [string];
        const outcomes = await provider.doDeleteVideos([id], callOptions());
        expect(outcomes).toHaveLength(1);
        expect(outcomes[0]?.status).toBe('DELETED');
        expect(simulator.stateOf(id)).toBe(provider.capabilities.restore === false ? 'GONE' : 'SOFT_DELETED');
      });

      it(`deletes a full batch (maxBatchSize ids) in one request`, async () => {
        const size = provider.capabilities.maxBatchSize;
        const ids = await simulator.seed(Array.from({ length: size }, () => ({ state: 'READY' as const })));
        const before = simulator.calls().length;
        const outcomes = await provider.doDeleteVideos(ids, callOptions());
        expect(outcomes.map((outcome) => outcome.status)).toEqual(ids.map(() => 'DELETED'));
        expect(callsWithIds(before), 'requests that carried video ids').toHaveLength(1);
        for (const id of ids) expect(simulator.stateOf(id)).not.toBe('PRESENT');
      });

      it('answers NOT_FOUND for an id the provider does not have, as an outcome, not a throw', async () => {
        const outcomes = await provider.doDeleteVideos([simulator.missingId()], callOptions());
        expect(outcomes).toEqual([{ status: 'NOT_FOUND' }]);
      });

      it('treats deleting an already deleted video as done or not found, never as a failure', async () => {
        const [id] = (await simulator.seed([{ state: 'READY' }])) as [string];
        await provider.doDeleteVideos([id], callOptions());
        const [again] = await provider.doDeleteVideos([id], callOptions());
        expect(['DELETED', 'NOT_FOUND']).toContain(again?.status);
      });

      it('reports mixed outcomes one per id, in the order given', async () => {
        const states = ['READY', 'PROCESSING', ...(forbidden ? (['FORBIDDEN'] as const) : []), 'READY'] as const;
        const seeded = await simulator.seed(states.map((state) => ({ state })));
        const missing = simulator.missingId();
        // The missing id sits in the middle so that an answer shifted by one position shows.
        const ids = [seeded[0]!, seeded[1]!, missing, ...seeded.slice(2)];
        const outcomes = await deleteAll(ids);
        expect(outcomes).toHaveLength(ids.length);
        const summary = outcomes.map((outcome) =>
          outcome.status === 'FAILED' ? `FAILED:${outcome.error.code}` : outcome.status,
        );
        const expected = [
          'DELETED',
          inProcessing === 'refused' ? 'FAILED:IN_PROCESSING' : 'DELETED',
          'NOT_FOUND',
          ...(forbidden ? ['FAILED:FORBIDDEN'] : []),
          'DELETED',
        ];
        expect(summary).toEqual(expected);
        for (const outcome of outcomes) {
          if (outcome.status !== 'FAILED') continue;
          expect(outcome.error.message.length, 'a failed item says why').toBeGreaterThan(0);
          // A refusal is not repeated at once: FORBIDDEN stands, IN_PROCESSING may pass later (retryable, not
          // transient); a plugin that marks it not retryable at all still passes, as it did before `transient`.
          expect(outcome.error.transient ?? outcome.error.retryable, 'a refusal is not transient').toBe(false);
          if (outcome.error.code === 'FORBIDDEN') expect(outcome.error.retryable).toBe(false);
        }
        expect(simulator.stateOf(seeded[1]!)).toBe(
          inProcessing === 'refused' ? 'PRESENT' : provider.capabilities.restore === false ? 'GONE' : 'SOFT_DELETED',
        );
        if (forbidden) expect(simulator.stateOf(seeded[2]!)).toBe('PRESENT');
      });

      it('throws a retryable RATE_LIMITED when throttled, and succeeds when called again', async () => {
        const ids = await simulator.seed([{ state: 'READY' }]);
        simulator.failNext('throttle', 1);
        const error = await providerRejection(provider.doDeleteVideos(ids, callOptions({ attempt: 1 })));
        expect(error.code).toBe('RATE_LIMITED');
        expect(error.retryable).toBe(true);
        if (throttleSaysWhen) {
          expect(error.retryAfterMs, 'the provider said when to come back').toBeTypeOf('number');
          expect(error.retryAfterMs!).toBeGreaterThanOrEqual(0);
        }
        expect(simulator.stateOf(ids[0]!)).toBe('PRESENT');
        const outcomes = await provider.doDeleteVideos(ids, callOptions({ attempt: 2 }));
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['DELETED']);
      });

      it('throws a retryable PROVIDER_ERROR on a 5xx, and succeeds when called again', async () => {
        const ids = await simulator.seed([{ state: 'READY' }]);
        simulator.failNext('server-error', 1);
        const error = await providerRejection(provider.doDeleteVideos(ids, callOptions({ attempt: 1 })));
        expect(error.code).toBe('PROVIDER_ERROR');
        expect(error.retryable).toBe(true);
        const outcomes = await provider.doDeleteVideos(ids, callOptions({ attempt: 2 }));
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['DELETED']);
      });

      it('makes exactly one attempt per call: a write is never retried inside the plugin', async () => {
        const ids = await simulator.seed([{ state: 'READY' }]);
        simulator.failNext('server-error', 1);
        const before = simulator.calls().length;
        await providerRejection(provider.doDeleteVideos(ids, callOptions({ attempt: 1 })));
        expect(callsWithIds(before)).toHaveLength(1);
        // The fault was spent on that one attempt; clean up so later tests start from a quiet simulator.
        await provider.doDeleteVideos(ids, callOptions({ attempt: 2 }));
      });

      it('stops when the host aborts, without deleting', async () => {
        const ids = await simulator.seed([{ state: 'READY' }]);
        const controller = new AbortController();
        controller.abort(new Error('host shutting down'));
        await expect(provider.doDeleteVideos(ids, callOptions({ signal: controller.signal }))).rejects.toBeDefined();
        expect(simulator.stateOf(ids[0]!)).toBe('PRESENT');
      });

      if (credentials)
        it('throws UNAUTHORIZED, not retryable, on wrong credentials, and never shows them', async () => {
          const ids = await simulator.seed([{ state: 'READY' }]);
          const error = await providerRejection(wrongProvider.doDeleteVideos(ids, callOptions()));
          expect(error.code).toBe('UNAUTHORIZED');
          expect(error.retryable).toBe(false);
          expect(simulator.stateOf(ids[0]!)).toBe('PRESENT');
          const lookup = await providerRejection(wrongProvider.doGetVideos(ids, callOptions()));
          expect(lookup.code).toBe('UNAUTHORIZED');
          for (const shown of [error, lookup]) expectNoSecret(shown);
        });
    });

    describe('doRestoreVideo', () => {
      // Where the provider cannot restore, the host answers NOT_RESTORABLE itself, without a provider call.
      it('brings a deleted video back', async (context) => {
        if (restoreSupport(provider) === false) context.skip('the provider cannot restore');
        const [id] = (await simulator.seed([{ state: 'READY' }])) as [string];
        const [deleted] = await provider.doDeleteVideos([id], callOptions());
        expect(deleted?.status).toBe('DELETED');
        expect(simulator.stateOf(id)).toBe('SOFT_DELETED');
        const restored = await provider.doRestoreVideo!(id, callOptions());
        expect(restored.status).toBe('RESTORED');
        expect(simulator.stateOf(id)).toBe('PRESENT');
      });

      it('answers NOT_FOUND when there is nothing to restore', async (context) => {
        if (restoreSupport(provider) === false) context.skip('the provider cannot restore');
        const outcome = await provider.doRestoreVideo!(simulator.missingId(), callOptions());
        expect(outcome.status).toBe('NOT_FOUND');
      });
    });

    describe('doGetVideos', () => {
      it('answers one entry per id in the order asked, null for a missing one', async () => {
        const [ready, processing] = (await simulator.seed([
          { state: 'READY', title: 'conformance ready' },
          { state: 'PROCESSING', title: 'conformance processing' },
        ])) as [string, string];
        const missing = simulator.missingId();
        const size = provider.capabilities.maxLookupBatchSize ?? 1;
        const ids = [processing, missing, ready];
        const videos = [];
        for (let start = 0; start < ids.length; start += size) {
          videos.push(...(await provider.doGetVideos(ids.slice(start, start + size), callOptions())));
        }
        expect(videos).toHaveLength(3);
        expect(videos[0]?.id).toBe(processing);
        expect(videos[0]?.status).toBe('PROCESSING');
        expect(videos[1]).toBeNull();
        expect(videos[2]?.id).toBe(ready);
        expect(videos[2]?.status).toBe('READY');
      });

      it('no longer shows a deleted video as available', async () => {
        const [id] = (await simulator.seed([{ state: 'READY' }])) as [string];
        await provider.doDeleteVideos([id], callOptions());
        const [video] = await provider.doGetVideos([id], callOptions());
        // Gone (null) or still listed as DELETED are both honest answers; READY or PROCESSING would not be.
        expect(video ? video.status : 'GONE').toMatch(/^(GONE|DELETED)$/);
      });
    });

    describe('doListVideos', () => {
      /** Every page of one listing, as the host reads it; fails on a video listed twice or a listing that never ends. */
      async function listAll(filter?: VideoFilter, limit = 100): Promise<ProviderVideo[]> {
        const seen: ProviderVideo[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await provider.doListVideos!(
            { limit, ...(cursor === undefined ? {} : { cursor }), ...(filter ? { filter } : {}) },
            callOptions(),
          );
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items);
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor !== undefined && pages < 1_000);
        expect(cursor, 'listing should end').toBeUndefined();
        const ids = seen.map((video) => video.id);
        expect(new Set(ids).size, 'no video listed twice').toBe(ids.length);
        return seen;
      }

      /** The filtered listing holds exactly the videos of an unfiltered one that match the filter. */
      async function expectFiltered(filter: VideoFilter): Promise<void> {
        const everything = await listAll();
        const expected = everything.filter((video) => videoMatchesFilter(video, filter)).map((video) => video.id);
        const listed = await listAll(filter);
        const stray = listed.filter((video) => !videoMatchesFilter(video, filter));
        expect(
          stray.map((video) => video.id),
          'only matching videos are listed',
        ).toEqual([]);
        expect(listed.map((video) => video.id).sort(), 'every matching video is listed').toEqual(expected.sort());
      }

      /** Creation instants that videos really have, so the bounds fall exactly on a video (the edge cases). */
      async function creationQuartiles(): Promise<[Date, Date, Date]> {
        const times = (await listAll())
          .map((video) => {
            expect(video.createdAt, `a plugin that filters on dates lists createdAt (${video.id})`).toBeInstanceOf(
              Date,
            );
            return video.createdAt!.getTime();
          })
          .sort((a, b) => a - b);
        expect(times.length, 'the simulator holds videos to filter').toBeGreaterThan(0);
        const at = (fraction: number) => new Date(times[Math.floor((times.length - 1) * fraction)]!);
        return [at(0.25), at(0.5), at(0.75)];
      }

      function supports(part: 'createdBefore' | 'createdAfter'): boolean {
        return provider.doListVideos !== undefined && provider.capabilities.listFilters?.[part] === true;
      }

      /** Status sets the plugin says it filters: each status alone, then two together. */
      function declaredStatusSets(): ProviderVideoStatus[][] {
        const declared = provider.capabilities.listFilters?.status;
        if (!provider.doListVideos || declared === undefined || declared === false) return [];
        const statuses: ProviderVideoStatus[] = declared === true ? ['PROCESSING', 'READY', 'FAILED'] : [...declared];
        return [...statuses.map((status) => [status]), ...(statuses.length > 1 ? [statuses.slice(0, 2)] : [])];
      }

      it('pages through every video exactly once', async (context) => {
        if (!provider.doListVideos) context.skip('the provider has no doListVideos');
        const seeded = await simulator.seed([{ state: 'READY' }, { state: 'READY' }, { state: 'PROCESSING' }]);
        const seen = (await listAll(undefined, 7)).map((video) => video.id);
        for (const id of seeded) expect(seen).toContain(id);
      });

      it('with createdBefore lists exactly the videos created strictly before it', async (context) => {
        if (!supports('createdBefore')) context.skip('the provider does not filter on createdBefore');
        const [, median] = await creationQuartiles();
        await expectFiltered({ createdBefore: median });
      });

      it('with createdAfter lists exactly the videos created at or after it', async (context) => {
        if (!supports('createdAfter')) context.skip('the provider does not filter on createdAfter');
        const [, median] = await creationQuartiles();
        await expectFiltered({ createdAfter: median });
      });

      it('with both bounds lists exactly the videos in the range', async (context) => {
        if (!supports('createdBefore') || !supports('createdAfter'))
          context.skip('the provider does not filter on both bounds');
        const [first, , third] = await creationQuartiles();
        await expectFiltered({ createdAfter: first, createdBefore: third });
        // A bound between two whole seconds: a provider that counts in seconds widens, the plugin trims.
        await expectFiltered({
          createdAfter: new Date(first.getTime() + 500),
          createdBefore: new Date(third.getTime() + 500),
        });
      });

      it('with status lists exactly the videos in one of those statuses', async (context) => {
        const sets = declaredStatusSets();
        if (sets.length === 0) context.skip('the provider does not filter on status');
        await simulator.seed([{ state: 'READY' }, { state: 'PROCESSING' }]);
        for (const status of sets) await expectFiltered({ status });
      });
    });

    defineFailureCases({
      simulator: () => simulator,
      provider: () => provider,
      proxied: () => proxied,
      throttleSaysWhen,
      expectNoSecret,
    });

    describe('secrets', () => {
      it('never logs a credential, in any encoding', () => {
        for (const line of logger.lines) {
          expect(exposesSecret(line), `a log line shows a credential: ${line.slice(0, 80)}`).toBe(false);
        }
      });
    });
  });
}

/** The simulator as the settings callback sees it, with its `url` replaced: its methods still act on the simulator. */
function withUrl<Sim extends object>(simulator: Sim, url: string): Sim {
  return new Proxy(simulator, {
    get(target, key) {
      if (key === 'url') return url;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
