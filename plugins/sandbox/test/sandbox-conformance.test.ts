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
function sandboxSimulator(): ConformanceSimulator & { settings: SandboxSettings } {
  const settings = sandboxSettingsSchema.parse({
    // Enough videos in every listed status for the list filters to select real subsets.
    videoCount: 60,
    latencyMs: [0, 0],
    processingRatio: 0.2,
    forbiddenRatio: 0,
    failedRatio: 0.1,
    library: `conformance-${process.pid}`,
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
