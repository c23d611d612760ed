import { pino, type Logger } from 'pino';
import type { SecretRegistry } from './secret-registry.js';

/**
 * JSON lines on stdout (or the destination given). Authorization headers and API keys are removed by path (tenants'
 * keys are only kept hashed, so they cannot be matched by value); plugin secrets by value, wherever a plugin or an
 * error message put them.
 */
export function createLogger(
  secrets: SecretRegistry,
  options: { level?: string | undefined; destination?: NodeJS.WritableStream | undefined } = {},
): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: 'unreel' },
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'req.headers.authorization',
          '*.headers.authorization',
          'connectionParams.authorization',
          '*.connectionParams.authorization',
          'apiKey',
          'apiKeys',
          '*.apiKey',
          '*.apiKeys',
        ],
        censor: '[redacted]',
      },
      formatters: { log: (object) => secrets.redactDeep(object) as Record<string, unknown> },
      // The formatter above already turned errors into plain, redacted objects; keep those as they are.
      serializers: {
        err: (value: unknown) => (value instanceof Error ? secrets.redactDeep(pino.stdSerializers.err(value)) : value),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? secrets.redact(arg) : arg)) as Parameters<typeof method>,
          );
        },
      },
    },
    options.destination ?? process.stdout,
  );
}
