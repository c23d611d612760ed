export { PostgresOperationStore, type PostgresOperationStoreOptions } from './postgres-operation-store.js';
export { SCHEMA_VERSION } from './postgres-migrations.js';
export { databasePassword, describeDatabase } from './postgres-url.js';
