const marker = 'unreel.client-error';
const symbol = Symbol.for(marker);

/**
 * Why a call of `@unreel/client` failed. Stable: switch on it, never on the message.
 *
 * - `UNAUTHORIZED`: no key or a wrong one (HTTP 401, GraphQL `UNAUTHENTICATED`, WebSocket close 4401).
 * - `FORBIDDEN`: refused for who or where you are (HTTP 403, e.g. a browser origin the server does not allow;
 *   GraphQL `FORBIDDEN`; WebSocket close 4403, which unreel sends for a missing or wrong key in `connectionParams`).
 * - `BAD_REQUEST`: the request itself is wrong and will be refused again (GraphQL `BAD_USER_INPUT`, validation or
 *   parse errors, `PAYLOAD_TOO_LARGE`; WebSocket close 4400, 4406 or 1009; a client option out of range). `field`
 *   names the input or option when the server or the client says which.
 * - `CONFLICT`: the `operationId` already names an operation with other ids (GraphQL `IDEMPOTENCY_CONFLICT`).
 * - `NOT_FOUND`: `watchDeletion` was given an operation this server (or this tenant) does not have.
 * - `GRAPHQL`: any other GraphQL error; `graphqlCode` holds the server's `extensions.code`.
 * - `NETWORK`: the server could not be reached or answered without GraphQL (a proxy's 502 while it restarts), or the
 *   socket closed; retried by the helpers, so seen only once `retry.maxAttempts` is used up.
 * - `PROTOCOL`: the server broke the contract (a progress sequence with a gap that a resubscription does not fill,
 *   an answer that is not GraphQL JSON), or a WebSocket close that says the client did (4409, 4429, 1002, 1003).
 * - `ABORTED`: the caller's `AbortSignal` fired. The operation on the server goes on: `cancelDeletion` stops it.
 */
export type UnreelClientErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'GRAPHQL'
  | 'NETWORK'
  | 'PROTOCOL'
  | 'ABORTED';

/** What an `UnreelClientError` may carry besides its code and message. */
export interface UnreelClientErrorDetails {
  /** The server's `extensions.code` (`BAD_USER_INPUT`, `IDEMPOTENCY_CONFLICT`, `JOURNAL_UNAVAILABLE`, ...). */
  graphqlCode?: string | undefined;
  /** The input field (`extensions.field`, e.g. `ids`) or the client option the error is about. */
  field?: string | undefined;
  /** The deletion the call was about, so a caller can `watchDeletion` or `cancelDeletion` it later. */
  operationId?: string | undefined;
  /** The HTTP status of the answer, when there was one. */
  status?: number | undefined;
  /** The WebSocket close code (4403, 1006, ...), when the socket closed. */
  closeCode?: number | undefined;
  /** The WebSocket close reason, when the server gave one. */
  closeReason?: string | undefined;
  /** Asking again later can succeed (a network failure, `JOURNAL_UNAVAILABLE`, a retryable provider error). */
  retryable?: boolean | undefined;
  cause?: unknown;
}

/**
 * The one error class `@unreel/client` rejects with. Recognise it with `UnreelClientError.isInstance(error)`, which
 * holds across copies of this package (a `Symbol.for` marker, like the provider spec's errors), where `instanceof`
 * would not.
 */
export class UnreelClientError extends Error {
  private readonly [symbol] = true;
  readonly code: UnreelClientErrorCode;
  readonly graphqlCode: string | undefined;
  readonly field: string | undefined;
  readonly operationId: string | undefined;
  readonly status: number | undefined;
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  readonly retryable: boolean;

  constructor(code: UnreelClientErrorCode, message: string, details: UnreelClientErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UnreelClientError';
    this.code = code;
    this.graphqlCode = details.graphqlCode;
    this.field = details.field;
    this.operationId = details.operationId;
    this.status = details.status;
    this.closeCode = details.closeCode;
    this.closeReason = details.closeReason;
    this.retryable = details.retryable ?? false;
  }

  static isInstance(error: unknown): error is UnreelClientError {
    return error != null && typeof error === 'object' && (error as Record<symbol, unknown>)[symbol] === true;
  }

  /** The same error about `operationId`, for failures found before the operation's id was known to the caller. */
  withOperationId(operationId: string): UnreelClientError {
    if (this.operationId === operationId) return this;
    return new UnreelClientError(this.code, this.message, { ...this.details(), operationId });
  }

  private details(): UnreelClientErrorDetails {
    return {
      graphqlCode: this.graphqlCode,
      field: this.field,
      operationId: this.operationId,
      status: this.status,
      closeCode: this.closeCode,
      closeReason: this.closeReason,
      retryable: this.retryable,
      cause: this.cause,
    };
  }
}

/** A GraphQL error's `extensions.code` as the client's code. */
function codeOfGraphQLError(graphqlCode: string | undefined): UnreelClientErrorCode {
  switch (graphqlCode) {
    case 'UNAUTHENTICATED':
      return 'UNAUTHORIZED';
    case 'FORBIDDEN':
      return 'FORBIDDEN';
    case 'BAD_USER_INPUT':
    case 'BAD_REQUEST':
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'PAYLOAD_TOO_LARGE':
    case 'PERSISTED_QUERY_NOT_SUPPORTED':
      return 'BAD_REQUEST';
    case 'IDEMPOTENCY_CONFLICT':
      return 'CONFLICT';
    default:
      return 'GRAPHQL';
  }
}

/** A GraphQL error as the server formats it (unreel's format-error): message, and code, field, retryable. */
export interface GraphQLErrorLike {
  message?: unknown;
  extensions?: { code?: unknown; field?: unknown; retryable?: unknown } | null;
}

export function fromGraphQLError(
  error: GraphQLErrorLike,
  details: Pick<UnreelClientErrorDetails, 'operationId' | 'status'> = {},
): UnreelClientError {
  const graphqlCode = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
  const field = typeof error.extensions?.field === 'string' ? error.extensions.field : undefined;
  // The journal being unwritable is the server's trouble, and a retryable provider error says so itself.
  const retryable = error.extensions?.retryable === true || graphqlCode === 'JOURNAL_UNAVAILABLE';
  const message = typeof error.message === 'string' ? error.message : 'GraphQL error without a message';
  return new UnreelClientError(codeOfGraphQLError(graphqlCode), graphqlCode ? `${graphqlCode}: ${message}` : message, {
    ...details,
    graphqlCode,
    field,
    retryable,
  });
}

/**
 * A WebSocket that closed, as the client's error. Codes a new socket would get again fail at once; every other close
 * (1006 when the server went away, 1001 on its shutdown, 4430 too many sockets, 4431 too slow, 4408 and 4500) is worth a retry.
 */
export function fromCloseEvent(code: number, reason: string, operationId: string | undefined): UnreelClientError {
  const details = { closeCode: code, closeReason: reason || undefined, operationId };
  const said = `the progress socket closed with ${code}${reason ? ` (${reason})` : ''}`;
  switch (code) {
    case 4401:
      return new UnreelClientError('UNAUTHORIZED', said, details);
    case 4403:
      return new UnreelClientError('FORBIDDEN', `${said}: the server refused connectionParams`, details);
    case 4400:
    case 4406:
    case 1009:
      return new UnreelClientError('BAD_REQUEST', said, details);
    case 4409:
    case 4429:
    case 1002:
    case 1003:
      return new UnreelClientError('PROTOCOL', said, details);
    default:
      return new UnreelClientError('NETWORK', said, { ...details, retryable: true });
  }
}

export function abortedError(operationId: string | undefined, reason?: unknown): UnreelClientError {
  return new UnreelClientError('ABORTED', 'aborted by the caller', {
    operationId,
    ...(reason === undefined ? {} : { cause: reason }),
  });
}
