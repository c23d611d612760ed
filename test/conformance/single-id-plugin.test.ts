import { definePlugin, type DeleteOutcome } from '@unreel/provider-spec';
import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
import elytron, { elytronSettingsSchema, type ElytronSettingsInput } from '@unreel/plugin-elytron';
import { startSimulator } from '@unreel/plugin-elytron/simulator';

/**
 * A plugin written the short way definePlugin allows: no specificationVersion, no provider id, no maxBatchSize or
 * restore in its capabilities, and a single-id doDeleteVideo. It sends its requests through the Elytron plugin (one
 * DELETE per video), so the suite runs it against Elytron's simulator.
 */
const singleId = definePlugin({
  id: 'single-id',
  settingsSchema: elytronSettingsSchema,
  secretSettings: ['apiKey'],
  create(settings, context) {
    const elytronProvider = elytron.create(settings, context);
    const { requestsPerSecond } = elytronProvider.capabilities;
    return {
      capabilities: requestsPerSecond === undefined ? {} : { requestsPerSecond },
      async doDeleteVideo(id, options): Promise<DeleteOutcome> {
        const [outcome] = await elytronProvider.doDeleteVideos([id], options);
        return outcome!;
      },
      doGetVideos: (ids, options) => elytronProvider.doGetVideos(ids, options),
      doListVideos: (page, options) => elytronProvider.doListVideos!(page, options),
    };
  },
});

defineProviderConformanceSuite({
  plugin: singleId,
  name: 'a single-id plugin completed by definePlugin',
  simulator: () => startSimulator({ videoCount: 20, plan: 'enterprise' }),
  settings: (simulator, { wrongCredentials }): ElytronSettingsInput => ({
    baseUrl: simulator.url,
    plan: 'enterprise',
    apiKey: wrongCredentials ? 'ely_wrong_key_0000' : simulator.credentials.apiKey,
  }),
});
