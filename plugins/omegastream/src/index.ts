import { definePlugin } from '@unreel/provider-spec';
import { OmegastreamProvider } from './omegastream-provider.js';
import { omegastreamSettingsSchema } from './omegastream-settings.js';

export default definePlugin({
  specificationVersion: 'v1',
  id: 'omegastream',
  displayName: 'OmegaStream',
  settingsSchema: omegastreamSettingsSchema,
  secretSettings: ['apiKey'],
  create: (settings, context) => new OmegastreamProvider(settings, context),
});

export { omegastreamSettingsSchema };
export type { OmegastreamBulkPath, OmegastreamSettings, OmegastreamSettingsInput } from './omegastream-settings.js';
