export { defineProviderConformanceSuite } from './define-provider-conformance-suite.js';
export { CapturingLogger } from './capturing-logger.js';
export { callOptions } from './call-options.js';
export { errorText } from './error-text.js';
export { providerRejection } from './provider-rejection.js';
