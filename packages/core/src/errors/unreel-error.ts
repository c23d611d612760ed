const marker = 'unreel.error';
const symbol = Symbol.for(marker);

/**
 * A request-level failure with a stable `code` that the server turns into GraphQL `extensions.code`.
 * Recognised by a `Symbol.for` marker so two copies of this package still agree.
 */
export class UnreelError extends Error {
  private readonly [symbol] = true;
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'UnreelError';
    this.code = code;
  }

  static isInstance(error: unknown): error is UnreelError {
    return UnreelError.hasMarker(error, marker);
  }

  protected static hasMarker(error: unknown, markerName: string): boolean {
    const markerSymbol = Symbol.for(markerName);
    return error != null && typeof error === 'object' && (error as Record<symbol, unknown>)[markerSymbol] === true;
  }
}
