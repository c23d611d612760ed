export {
  RedisAccountAdmission,
  redisAccountAdmission,
  type RedisAdmissionOptions,
  type RedisPermit,
  type WaitReason,
} from './redis/redis-account-admission.js';
export { ReleaseDoorbell } from './redis/release-doorbell.js';
