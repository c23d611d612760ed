import { UnreelError } from './unreel-error.js';

const marker = 'unreel.error.IdempotencyConflictError';
const symbol = Symbol.for(marker);

/** The operationId is already taken by an operation with other ids. */
export class IdempotencyConflictError extends UnreelError {
  private readonly [symbol] = true;

  constructor(message: string) {
    super('IDEMPOTENCY_CONFLICT', message);
    this.name = 'IdempotencyConflictError';
  }

  static override isInstance(error: unknown): error is IdempotencyConflictError {
    return UnreelError.hasMarker(error, marker);
  }
}
