export * from './unreel-error.js';
export * from './invalid-input-error.js';
export * from './idempotency-conflict-error.js';
export * from './operation-exists-error.js';
export * from './too-many-operations-error.js';
