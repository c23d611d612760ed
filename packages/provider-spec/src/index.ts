export {
  UnreelProviderError,
  type ItemError,
  type ProviderErrorCode,
  type ProviderErrorOptions,
} from './errors/unreel-provider-error.js';
export { UnauthorizedError } from './errors/unauthorized-error.js';
export { ForbiddenError } from './errors/forbidden-error.js';
export { NotFoundError } from './errors/not-found-error.js';
export { RateLimitedError } from './errors/rate-limited-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export { NetworkError } from './errors/network-error.js';
export { ProviderUnavailableError } from './errors/provider-unavailable-error.js';
export { InvalidRequestError } from './errors/invalid-request-error.js';
export { ProviderResponseError } from './errors/provider-response-error.js';
export type {
  CallOptions,
  DeleteOutcome,
  ListFilterSupportV1,
  ListVideosRequest,
  ProviderCapabilitiesV1,
  ProviderVideo,
  ProviderVideoStatus,
  RestoreOutcome,
  VideoFilter,
  VideoPage,
  VideoProviderV1,
} from './video-provider-v1.js';
export {
  definePlugin,
  isVideoProviderPluginV1,
  type PluginContextV1,
  type PluginDefinitionV1,
  type ProviderLogger,
  type VideoProviderPluginV1,
} from './plugin-v1.js';
export {
  completeProvider,
  type ProviderCapabilitiesDefinitionV1,
  type ProviderDefinitionV1,
} from './provider-definition-v1.js';
export { restoreSupport } from './restore-support.js';
export { describeSchemaIssues } from './schema-issues.js';
export type { WebhookEventV1, WebhookRequestV1 } from './webhook-v1.js';
export { isAmbiguousFailure } from './ambiguity.js';
export { isTransient } from './transience.js';
export type { StandardSchemaV1 } from '@standard-schema/spec';
