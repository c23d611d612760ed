import { definePlugin } from '@unreel/provider-spec';
import { ApiVideoProvider } from './api-video-provider.js';
import { apiVideoSettingsSchema } from './api-video-settings.js';

export default definePlugin({
  specificationVersion: 'v1',
  id: 'api-video',
  displayName: 'api.video',
  settingsSchema: apiVideoSettingsSchema,
  secretSettings: ['apiKey'],
  create: (settings, context) => new ApiVideoProvider(settings, context),
});

export { apiVideoSettingsSchema };
export type { ApiVideoSettings, ApiVideoSettingsInput } from './api-video-settings.js';
