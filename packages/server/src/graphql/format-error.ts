import { Kind, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { InvalidInputError, JournalUnavailableError, UnreelError } from '@unreel/core';
import { UnreelProviderError } from '@unreel/provider-spec';
import type { SecretRegistry } from '../logging/secret-registry.js';

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * One formatter for HTTP (Apollo's formatError) and WebSocket (graphql-ws hooks), so a client sees the same
 * `extensions.code` whichever transport it used. Our own errors keep their code and message; GraphQL's own
 * (parse, validation, variables) keep theirs; anything else is logged and answered generically, without a stack.
 */
export function createErrorFormatter(
  logger: Logger,
  secrets: SecretRegistry,
  options: { hideSchemaDetails?: boolean } = {},
): ErrorFormatter {
  // Without introspection, "Did you mean ...?" would hand the schema out one field name at a time.
  const clean = (message: string): string => {
    const redacted = secrets.redact(message);
    return options.hideSchemaDetails ? redacted.replace(/ ?Did you mean .+\?$/, '') : redacted;
  };
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    if (UnreelError.isInstance(original)) {
      const field = InvalidInputError.isInstance(original) ? original.field : undefined;
      // The journal failing is the server's trouble, not the request's: the same request can succeed later.
      const retryable = JournalUnavailableError.isInstance(original) ? { retryable: true } : {};
      return {
        message: secrets.redact(original.message),
        ...where(formatted),
        extensions: { code: original.code, ...(field ? { field } : {}), ...retryable },
      };
    }
    if (UnreelProviderError.isInstance(original)) {
      // The provider refused or failed a whole call (a lookup, a listing): not our bug and not the client's input, so
      // it says which, with the provider's stable code, and whether asking again later can help.
      logger.warn({ err: original, providerCode: original.code }, 'provider call failed while resolving a request');
      return {
        message: secrets.redact(original.message),
        ...where(formatted),
        extensions: { code: 'PROVIDER_ERROR', providerCode: original.code, retryable: original.retryable },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR')
      return { message: clean(formatted.message), ...where(formatted), extensions: { code } };
    logger.error({ err: original }, 'unexpected error while resolving a request');
    return { ...where(formatted), message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** Where in the document and the result the error is; nothing else of Apollo's or graphql's own shape is kept. */
function where(formatted: GraphQLFormattedError): Pick<GraphQLFormattedError, 'locations' | 'path'> {
  return {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
}

/**
 * graphql-ws hands its hooks raw GraphQLErrors. Parse and validation errors already carry Apollo's codes (the
 * DocumentStore gives them), so one step of Apollo's pipeline is left to mirror here, because Apollo does not export
 * it (its isBadUserInputGraphQLError): a variable value that does not coerce is the request's fault, BAD_USER_INPUT.
 * graphql reports exactly those at the variable's definition, and nothing else there once the document is valid.
 */
export function formatWebSocketErrors(
  errors: readonly GraphQLError[],
  format: ErrorFormatter,
): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = error.toJSON();
    const badVariable =
      formatted.extensions?.code === undefined &&
      error.nodes?.length === 1 &&
      error.nodes[0]?.kind === Kind.VARIABLE_DEFINITION;
    const code = ApolloServerErrorCode.BAD_USER_INPUT;
    return format(badVariable ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted, error);
  });
}
