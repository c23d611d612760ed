import type { Logger } from 'pino';
import type { EngineLogger } from '@unreel/core';

/**
 * pino's logger in the message-first shape the engine (EngineLogger) and plugins (ProviderLogger, the same without
 * `child`) are written against, so neither depends on pino.
 */
export function messageFirstLogger(logger: Logger): EngineLogger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
    child: (fields) => messageFirstLogger(logger.child(fields)),
  };
}
