import type { Logger } from 'pino';
import type { EngineLogger } from '@unreel/core';

export function engineLogger(logger: Logger): EngineLogger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
    child: (fields) => engineLogger(logger.child(fields)),
  };
}
