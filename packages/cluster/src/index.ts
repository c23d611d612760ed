export { PostgresOperationStore, type PostgresOperationStoreOptions } from './postgres-operation-store.js';
export { SCHEMA_VERSION } from './postgres-schema.js';
export { databasePassword, describeDatabase } from './postgres-url.js';
export {
  RedisDoorbellBus,
  type DoorbellObserver,
  type RedisDoorbellBusOptions,
} from './doorbell/redis-doorbell-bus.js';
