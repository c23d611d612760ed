import { isRedactableSecret, secretRedactor } from '@unreel/provider-kit';

/**
 * Every credential the server knows of (plugin settings marked secret), so no log line or response repeats one.
 * How a secret is hidden is provider-kit's, the same rule plugins apply to their own messages.
 */
export class SecretRegistry implements Iterable<string> {
  private readonly secrets = new Set<string>();
  /** Made again when a secret is added (at start-up, as plugins load), so a log line never orders the secrets. */
  private redactor: (text: string) => string = secretRedactor([]);

  add(value: string): void {
    if (!isRedactableSecret(value) || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.redactor = secretRedactor(this.secrets);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.secrets.values();
  }

  redact(text: string): string {
    return this.redactor(text);
  }

  redactDeep(value: unknown, depth = 0): unknown {
    if (this.secrets.size === 0 || depth > 8) return value;
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((entry) => this.redactDeep(entry, depth + 1));
    // pino serializes errors after our formatter has run: hand it a plain copy with the secrets already gone.
    if (value instanceof Error) {
      const cause = value.cause === undefined ? {} : { cause: this.redactDeep(value.cause, depth + 1) };
      const code = (value as { code?: unknown }).code;
      return {
        type: value.name,
        message: this.redact(value.message),
        stack: this.redact(value.stack ?? ''),
        ...(code === undefined ? {} : { code }),
        ...cause,
      };
    }
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, this.redactDeep(entry, depth + 1)]));
    }
    return value;
  }
}
