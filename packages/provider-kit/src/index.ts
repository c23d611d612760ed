export * from './provider-client.js';
export * from './error-mapping.js';
export * from './retry-after.js';
export * from './redact-secrets.js';
export * from './scrub-message.js';
export * from './item-failure.js';
export * from './basic-authorization.js';
export * from './offset-cursor.js';
