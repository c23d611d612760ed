import 'reflect-metadata';

export { createUnreelServer, type UnreelServer, type UnreelServerOptions } from './create-unreel-server.js';
export { embeddedDefaultConfig, loadConfig, parseConfig, type LoadedConfig } from './config/load-config.js';
export type { UnreelConfig, UnreelConfigInput } from './config/config-schema.js';
export { ConfigError } from './config/config-error.js';
export type { JournalDescription } from './journal/open-journal.js';
