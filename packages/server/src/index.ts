import 'reflect-metadata';

export * from './create-unreel-server.js';
export * from './config/config-schema.js';
export * from './config/config-error.js';
export { loadConfig, parseConfig, embeddedDefaultConfig } from './config/load-config.js';
export { buildUnreelSchema } from './schema/build-schema.js';
export type { UnreelContext } from './graphql/context.js';
