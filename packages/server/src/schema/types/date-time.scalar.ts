import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';

/** ISO 8601 date-time in UTC; named DateTime because that is the name in the public contract. */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  name: 'DateTime',
  description: 'An ISO 8601 date-time in UTC, e.g. 2026-01-31T12:00:00.000Z.',
});
