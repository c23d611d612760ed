import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
import plugin, { apiVideoSettingsSchema, type ApiVideoSettingsInput } from '@unreel/plugin-api-video';
import { startSimulator, type ApiVideoSimulator } from '@unreel/plugin-api-video/simulator';

/**
 * api.video refuses nothing for being in processing (the docs never say so), and has no notion of a video this
 * account may not delete; its 429 says when to come back (X-RateLimit-Retry-After).
 */
const common = { plugin, inProcessing: 'deleted', forbidden: false, throttleSaysWhen: true } as const;

function settings(extra: Partial<ApiVideoSettingsInput>) {
  return (simulator: ApiVideoSimulator, { wrongCredentials }: { wrongCredentials: boolean }) =>
    apiVideoSettingsSchema.parse({
      baseUrl: simulator.url,
      apiKey: wrongCredentials ? 'wrong-api-key-0000' : simulator.credentials.apiKey,
      ...extra,
    });
}

defineProviderConformanceSuite({
  ...common,
  name: 'api-video conformance: Basic auth, permanent deletion (no Video Restore)',
  simulator: () => startSimulator({ videoCount: 10, seed: 11 }),
  settings: settings({}),
});

defineProviderConformanceSuite({
  ...common,
  name: 'api-video conformance: Basic auth, Video Restore (discard for 90 days)',
  simulator: () => startSimulator({ videoCount: 10, seed: 12, videoRestore: true }),
  settings: settings({ videoRestore: true }),
});

defineProviderConformanceSuite({
  ...common,
  name: 'api-video conformance: disposable bearer token, Video Restore',
  simulator: () => startSimulator({ videoCount: 10, seed: 13, videoRestore: true }),
  // Tokens are issued during the suite, after it collects its secrets: api-video-provider.test.ts checks them.
  settings: settings({ videoRestore: true, auth: 'bearer' }),
});
