export {
  createProviderClient,
  type CheckedProviderResponse,
  type ProviderClientOptions,
  type ProviderHttpClient,
  type ProviderRequestInit,
  type ProviderResponse,
} from './provider-client.js';
export {
  codeForStatus,
  errorForCode,
  errorFromException,
  errorFromResponse,
  type ErrorDescription,
  type ErrorMappingOptions,
  type ErrorResponse,
} from './error-mapping.js';
export { parseRetryAfterMs, type RetryAfterHeader } from './retry-after.js';
export { createSecretRedactor, isRedactableSecret, redactSecrets, type SecretRedactor } from './redact-secrets.js';
export { parseResponse, type ParseResponseOptions } from './parse-response.js';
export { redactProviderError } from './redact-provider-error.js';
export { scrubMessage } from './scrub-message.js';
export { itemFailure, type ItemFailureOptions } from './item-failure.js';
export { basicAuthorization } from './basic-authorization.js';
export { offsetCursor, pageHolding, type OffsetCursor } from './offset-cursor.js';
export {
  providerStatusesFor,
  runCursor,
  videoMatchesFilter,
  wholeSecondRange,
  type RunCursor,
  type RunPosition,
} from './list-filter.js';
