import { definePlugin } from '@unreel/provider-spec';
import { FastPixProvider } from './fastpix-provider.js';
import { fastpixSettingsSchema } from './fastpix-settings.js';

export default definePlugin({
  specificationVersion: 'v1',
  id: 'fastpix',
  displayName: 'FastPix',
  settingsSchema: fastpixSettingsSchema,
  secretSettings: ['accessTokenId', 'secretKey', 'webhookSecret'],
  create: (settings, context) => new FastPixProvider(settings, context),
});

export { fastpixSettingsSchema };
export type { FastPixSettings, FastPixSettingsInput } from './fastpix-settings.js';
