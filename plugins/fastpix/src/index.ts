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

export { FastPixProvider, fastpixSettingsSchema };
export { FASTPIX_BASE_URL, FASTPIX_LEGACY_BASE_URL } from './fastpix-settings.js';
export type { FastPixSettings, FastPixSettingsInput } from './fastpix-settings.js';
export { videoStatusOf } from './fastpix-video.js';
export type { FastPixMedia, FastPixMediaStatus } from './fastpix-video.js';
export { parseFastPixWebhook, FASTPIX_DELETED_EVENT, FASTPIX_SIGNATURE_HEADER } from './fastpix-webhook.js';
export { verifyFastPixSignature } from './fastpix-webhook-signature.js';
export type { FastPixSignatureKey } from './fastpix-webhook-signature.js';
