export * from './errors/index.js';
export * from './video-provider-v1.js';
export * from './plugin-v1.js';
export * from './webhook-v1.js';
export * from './ambiguity.js';
export type { StandardSchemaV1 } from '@standard-schema/spec';
