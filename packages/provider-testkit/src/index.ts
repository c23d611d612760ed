// The conformance suite and the pieces it is made of: test tooling (vitest), for a plugin's devDependencies. What a
// simulator needs at run time is `@unreel/provider-kit/simulator`.
export { defineProviderConformanceSuite } from './conformance/define-provider-conformance-suite.js';
export type { ProviderConformanceOptions } from './conformance/provider-conformance-options.js';
export { CapturingLogger } from './conformance/capturing-logger.js';
export { callOptions } from './conformance/call-options.js';
export { errorText } from './conformance/error-text.js';
export { providerRejection } from './conformance/provider-rejection.js';
