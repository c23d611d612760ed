import { UnreelError } from './unreel-error.js';

const marker = 'unreel.error.InvalidInputError';
const symbol = Symbol.for(marker);

/** The request itself is wrong (an id, an account, a limit); nothing was journaled. */
export class InvalidInputError extends UnreelError {
  private readonly [symbol] = true;
  /** The input field at fault, e.g. `ids` or `operationId`. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super('BAD_USER_INPUT', message);
    this.name = 'InvalidInputError';
    this.field = field;
  }

  static override isInstance(error: unknown): error is InvalidInputError {
    return UnreelError.hasMarker(error, marker);
  }
}
