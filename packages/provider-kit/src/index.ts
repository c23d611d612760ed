export * from './provider-client.js';
export * from './error-mapping.js';
export * from './retry-after.js';
export * from './redact-secrets.js';
export * from './basic-authorization.js';
