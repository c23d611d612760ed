import { UnreelError } from './unreel-error.js';

const marker = 'unreel.error.TooManyOperationsError';
const symbol = Symbol.for(marker);

/** The tenant already has as many operations running as it may; nothing was journaled. Retry when one finishes. */
export class TooManyOperationsError extends UnreelError {
  private readonly [symbol] = true;
  readonly limit: number;

  constructor(limit: number) {
    super(
      'TOO_MANY_OPERATIONS',
      `Too many operations running: at most ${limit} per tenant at once; retry when one has finished`,
    );
    this.name = 'TooManyOperationsError';
    this.limit = limit;
  }

  static override isInstance(error: unknown): error is TooManyOperationsError {
    return UnreelError.hasMarker(error, marker);
  }
}
