import type { ProviderLogger } from '@unreel/provider-spec';

/** Keeps every line a plugin logs, serialised as a host would write it, so the suite can look for leaked secrets. */
export class CapturingLogger implements ProviderLogger {
  readonly lines: string[] = [];

  debug(message: string, fields?: Record<string, unknown>): void {
    this.keep('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.keep('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.keep('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.keep('error', message, fields);
  }

  private keep(level: string, message: string, fields: Record<string, unknown> | undefined): void {
    this.lines.push(
      JSON.stringify({ level, message, ...fields }, (_key, value: unknown) =>
        value instanceof Error ? { message: value.message, stack: value.stack } : value,
      ),
    );
  }
}
