export interface EngineLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds these fields to every line (an operation's tenant and id); absent: fields are passed per call. */
  child?(fields: Record<string, unknown>): EngineLogger;
}

export const silentLogger: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };
