export {
  RedisAccountAdmission,
  redisAccountAdmission,
  type RedisAdmissionOptions,
  type RedisPermit,
} from './redis/redis-account-admission.js';
