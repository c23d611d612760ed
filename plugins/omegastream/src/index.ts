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

export { OmegastreamProvider, OMEGASTREAM_MAX_BATCH_SIZE, OMEGASTREAM_MAX_PAGE_SIZE } from './omegastream-provider.js';
export {
  omegastreamSettingsSchema,
  OMEGASTREAM_BULK_PATHS,
  OMEGASTREAM_PRODUCTION_BASE_URL,
  type OmegastreamBulkPath,
  type OmegastreamSettings,
  type OmegastreamSettingsInput,
} from './omegastream-settings.js';
export {
  OMEGASTREAM_STATUSES,
  DELETABLE_AFTER_MS,
  statusOf,
  type OmegastreamStatus,
  type OmegastreamVideo,
} from './omegastream-video.js';
export { classifyReason, reasonText, type RefusalKind } from './omegastream-errors.js';
export { parseFailedVideos, type FailedVideos } from './omegastream-failed-videos.js';
