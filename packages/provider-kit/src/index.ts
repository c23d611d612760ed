export {
  createProviderClient,
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
export { isRedactableSecret, redactSecrets, secretRedactor } from './redact-secrets.js';
export { redactProviderError } from './redact-provider-error.js';
export { scrubMessage } from './scrub-message.js';
export { itemFailure, type ItemFailureOptions } from './item-failure.js';
export { basicAuthorization } from './basic-authorization.js';
export { offsetCursor, pageHolding, type OffsetCursor } from './offset-cursor.js';
