export * from './unreel-error.js';
export * from './invalid-input-error.js';
export * from './idempotency-conflict-error.js';
export * from './operation-exists-error.js';
