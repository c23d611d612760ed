export { PostgresOperationStore, type PostgresOperationStoreOptions } from './postgres-operation-store.js';
export { SCHEMA_VERSION } from './postgres-schema.js';
export { databasePassword, describeDatabase } from './postgres-url.js';
export {
  RedisAccountAdmission,
  redisAccountAdmission,
  type RedisAdmissionOptions,
  type RedisPermit,
  type WaitReason,
} from './redis/redis-account-admission.js';
export { ReleaseDoorbell } from './redis/release-doorbell.js';
export {
  RedisDoorbellBus,
  type DoorbellObserver,
  type RedisDoorbellBusOptions,
} from './doorbell/redis-doorbell-bus.js';
export { connectClusterRedis, describeRedis, redisPassword, type ClusterRedisOptions } from './cluster-redis.js';
