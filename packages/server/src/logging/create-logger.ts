import { pino, type Logger } from 'pino';
import type { SecretRegistry } from './secret-registry.js';

/**
 * JSON lines on stdout. Authorization headers are removed by path; configured secrets by value, wherever a plugin
 * or an error message might have put them.
 */
export function createLogger(secrets: SecretRegistry, options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: 'unreel' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'connectionParams.authorization'],
        censor: '[redacted]',
      },
      formatters: { log: (object) => secrets.redactDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? secrets.redact(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? process.stdout,
  );
}
