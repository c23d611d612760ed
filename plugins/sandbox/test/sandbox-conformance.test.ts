import type { ConformanceSimulator } from '@unreel/provider-kit/simulator';
import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
import sandbox, {
  getSandboxLibrary,
  sandboxSettingsSchema,
  type SandboxLibrary,
  type SandboxSettings,
} from '@unreel/plugin-sandbox';

/**
 * The sandbox has no HTTP server: its "simulator" is the in-process library that every provider created with the same
 * `library` name shares, seen through the control surface every HTTP simulator offers.
 */
function sandboxSimulator(name = 'conformance'): ConformanceSimulator & { settings: SandboxSettings } {
  const settings = sandboxSettingsSchema.parse({
    // Enough videos in every listed status for the list filters to select real subsets.
    videoCount: 60,
    latencyMs: [0, 0],
    processingRatio: 0.2,
    forbiddenRatio: 0,
    failedRatio: 0.1,
    library: `${name}-${process.pid}`,
  });
  // The suite creates its providers (and so the library) before it seeds anything.
  const library = (): SandboxLibrary => getSandboxLibrary(settings.library!)!;
  let missing = 0;
  return {
    settings,
    seed: (videos) => videos.map((video) => library().add(video.state, video.title).id),
    missingId: () => `vid-missing-${(missing += 1)}`,
    failNext: (kind, count) => library().failNext(kind, count),
    stateOf: (id) => library().stateOf(id),
    calls: () =>
      library().calls.map((call) => ({
        method: call.method,
        path: call.method,
        query: {},
        status: 200,
        ids: call.ids,
        at: call.at,
      })),
    close: async () => undefined,
  };
}

defineProviderConformanceSuite({
  plugin: sandbox,
  credentials: false,
  simulator: async () => sandboxSimulator(),
  settings: (simulator) => simulator.settings,
});

/**
 * A plugin written before list filters existed: its doListVideos never reads `filter` and it declares no
 * `listFilters`. It must still pass (the filter cases skip; the host filters what it lists).
 */
const filterless: typeof sandbox = {
  ...sandbox,
  id: 'sandbox-filterless',
  create(settings, context) {
    const inner = sandbox.create(settings, context);
    const { listFilters: _ignored, ...capabilities } = inner.capabilities;
    return {
      specificationVersion: 'v1',
      provider: 'sandbox-filterless',
      capabilities,
      doDeleteVideos: (ids, options) => inner.doDeleteVideos(ids, options),
      doRestoreVideo: (id, options) => inner.doRestoreVideo!(id, options),
      doGetVideos: (ids, options) => inner.doGetVideos(ids, options),
      doListVideos: (page: { cursor?: string; limit: number }, options) =>
        inner.doListVideos!(
          { limit: page.limit, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) },
          options,
        ),
    };
  },
};

defineProviderConformanceSuite({
  plugin: filterless,
  name: 'a v1 plugin that ignores list filters (the sandbox without them)',
  credentials: false,
  simulator: async () => sandboxSimulator('filterless'),
  settings: (simulator) => simulator.settings,
});
