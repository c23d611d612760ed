import { UnreelError } from './unreel-error.js';

const marker = 'unreel.error.OperationExistsError';
const symbol = Symbol.for(marker);

/** Thrown by a store when an operation id is already taken; the engine decides what it means. */
export class OperationExistsError extends UnreelError {
  private readonly [symbol] = true;

  constructor(message: string) {
    super('OPERATION_EXISTS', message);
    this.name = 'OperationExistsError';
  }

  static override isInstance(error: unknown): error is OperationExistsError {
    return UnreelError.hasMarker(error, marker);
  }
}
