import { definePlugin } from '@unreel/provider-spec';
import { ElytronProvider } from './elytron-provider.js';
import { elytronSettingsSchema } from './elytron-settings.js';

/**
 * Elytron (docs.elytron.ai), an AI video-generation API: permanent deletes one video at a time, plan-based rate
 * limits, and no deletion webhooks, so no doParseWebhook.
 */
export default definePlugin({
  specificationVersion: 'v1',
  id: 'elytron',
  displayName: 'Elytron',
  settingsSchema: elytronSettingsSchema,
  secretSettings: ['apiKey'],
  create: (settings, context) => new ElytronProvider(settings, context),
});

export { elytronSettingsSchema };
export type { ElytronPlan, ElytronSettings, ElytronSettingsInput } from './elytron-settings.js';
