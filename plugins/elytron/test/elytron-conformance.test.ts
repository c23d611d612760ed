import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
import elytron, { type ElytronSettingsInput } from '@unreel/plugin-elytron';
import { startSimulator } from '@unreel/plugin-elytron/simulator';

// Enterprise, so the suite's few dozen requests fit in one minute with the limiter still on, as on a real account.
defineProviderConformanceSuite({
  plugin: elytron,
  simulator: () => startSimulator({ videoCount: 20, plan: 'enterprise' }),
  settings: (simulator, { wrongCredentials }): ElytronSettingsInput => ({
    baseUrl: simulator.url,
    plan: 'enterprise',
    apiKey: wrongCredentials ? 'ely_wrong_key_0000' : simulator.credentials.apiKey,
  }),
  // "Videos in processing status cannot be deleted until generation completes or fails."
  inProcessing: 'refused',
  // 403 FORBIDDEN "You do not have permission to delete this video".
  forbidden: true,
  // Every answer carries X-RateLimit-Reset.
  throttleSaysWhen: true,
});
