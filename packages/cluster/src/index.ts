export { PostgresOperationStore, type PostgresOperationStoreOptions } from './postgres-operation-store.js';
export { SCHEMA_VERSION } from './postgres-schema.js';
export { databasePassword, describeDatabase } from './postgres-url.js';
