import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
import plugin, { type ApiVideoSettingsInput } from '@unreel/plugin-api-video';
import { startSimulator, type ApiVideoSimulator } from '@unreel/plugin-api-video/simulator';

const WRONG_API_KEY = 'wrong-api-key-0000';

/**
 * api.video refuses nothing for being in processing (the docs never say so), and has no notion of a video this
 * account may not delete; its 429 says when to come back (X-RateLimit-Retry-After).
 */
const common = { plugin, inProcessing: 'deleted', forbidden: false, throttleSaysWhen: true } as const;

/** Settings as a host's config gives them: the suite validates them with the plugin's own schema. */
function settings(extra: Partial<ApiVideoSettingsInput>) {
  return (
    simulator: ApiVideoSimulator,
    { wrongCredentials }: { wrongCredentials: boolean },
  ): ApiVideoSettingsInput => ({
    baseUrl: simulator.url,
    apiKey: wrongCredentials ? WRONG_API_KEY : simulator.credentials.apiKey,
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
  // Refusals quote the credential they refused, and the suite reads the secrets at each check, tokens issued so far
  // included: so its checks prove that no token or key reaches an error or a log line.
  simulator: () => startSimulator({ videoCount: 10, seed: 13, videoRestore: true, echoCredentials: true }),
  secrets: (simulator) => [simulator.credentials.apiKey, WRONG_API_KEY, ...simulator.issuedTokens()],
  settings: settings({ videoRestore: true, auth: 'bearer' }),
});
