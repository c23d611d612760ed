import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
import omegastream from '@unreel/plugin-omegastream';
import { startSimulator, type OmegastreamSimulatorOptions } from '@unreel/plugin-omegastream/simulator';

/**
 * The suite runs once per reading of what the docs leave open: the defaults (204 answers, failed_videos as a map of
 * reasons), the older doc's 200 answers with failed_videos as a bare list of uuids and plain-text errors, and a server
 * that hides deleted videos from `GET /:uuid` and lists failures as objects.
 */
const variants: { name: string; options: OmegastreamSimulatorOptions; bulkPath?: 'delete_videos' | 'bulk_delete' }[] = [
  { name: 'defaults', options: {} },
  {
    name: 'old answers, uuid list, text errors, bulk_delete',
    options: { answerStyle: 'old', failedVideosShape: 'uuid-list', errorBody: 'text' },
    bulkPath: 'bulk_delete',
  },
  {
    name: 'deleted hidden from lookups, object list, nested errors',
    options: { deletedLookup: 'hidden', failedVideosShape: 'object-list', errorBody: 'error' },
  },
];

for (const variant of variants) {
  defineProviderConformanceSuite({
    name: `omegastream provider conformance (${variant.name})`,
    plugin: omegastream,
    // The assumed rate limit is the simulator tests' business; here it would only add 429s the suite did not ask for.
    simulator: () => startSimulator({ videoCount: 20, rateLimit: false, ...variant.options }),
    settings: (simulator, { wrongCredentials }) => ({
      baseUrl: simulator.url,
      apiKey: wrongCredentials ? 'omega_sk_not-the-right-key' : simulator.credentials.apiKey,
      ...(variant.bulkPath === undefined ? {} : { bulkPath: variant.bulkPath }),
    }),
    // "the video should be completed processing or failed for more than 4 hours" (delete_video.md).
    inProcessing: 'refused',
    // A video of another company (coid).
    forbidden: true,
    // The simulator's 429 carries Retry-After (an assumption: OmegaStream documents no throttling).
    throttleSaysWhen: true,
  });
}
