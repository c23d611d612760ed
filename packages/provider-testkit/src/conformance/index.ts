export { defineProviderConformanceSuite } from './define-provider-conformance-suite.js';
export { CapturingLogger } from './capturing-logger.js';
