import { createRequire } from 'node:module';
import type { ExecutionResult, GraphQLFieldResolver, GraphQLObjectType, GraphQLScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { eventExecutor } from '../src/graphql/event-executor.js';

// graphql as Node loads it for the server and for graphql-jit (its CommonJS entry): through Vite this file would get
// graphql's ESM build, a second copy whose types graphql-jit does not recognise ("from another module or realm").
const { Kind, buildSchema, execute, parse } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/**
 * The fan-out runs a subscription's document per event through `eventExecutor` (compiled by graphql-jit); what it
 * sends must be what graphql-js's own execution of the same document gives, for everything a subscription document
 * can ask of the progress types: custom scalars, enums, nested and listed objects, nulls, errors thrown or returned
 * by resolvers, non-null violations, arguments with defaults, variables in @include/@skip, aliases, fragments,
 * __typename, async resolvers and the context.
 */
const schema = buildSchema(`
  scalar DateTime
  enum Status { RUNNING SUCCEEDED FAILED }
  type Query { unused: Int }
  type Subscription { progress(operationId: ID!, after: Int = 0): Progress! }
  type Progress {
    sequence: Int!
    status: Status!
    after: Int
    item: Item
    items: [Item!]!
    discovery: Discovery
    tenant: String!
  }
  type Item {
    videoId: ID!
    status: Status!
    updatedAt: DateTime!
    restorableUntil: DateTime
    error: ItemError
    restorable: Boolean!
    failing: String
    nonNullFailing: String!
    later: String
  }
  type ItemError { code: String! message: String! retryable: Boolean! }
  type Discovery { found: Int! complete: Boolean! }
`);

const dateTime = schema.getType('DateTime') as GraphQLScalarType;
dateTime.serialize = (value) => {
  if (!(value instanceof Date)) throw new TypeError(`DateTime cannot represent ${String(value)}`);
  return value.toISOString();
};
dateTime.parseLiteral = (node) => (node.kind === Kind.STRING ? new Date(node.value) : undefined);

function resolve(type: string, field: string, resolver: GraphQLFieldResolver<unknown, { tenant: string }>): void {
  (schema.getType(type) as GraphQLObjectType).getFields()[field]!.resolve = resolver;
}
resolve('Subscription', 'progress', (event, args: { after?: number }) => ({
  ...(event as object),
  after: args.after,
}));
resolve('Progress', 'tenant', (_event, _args, context) => context.tenant);
resolve('Item', 'restorable', (item) => (item as { status: string }).status === 'SUCCEEDED');
resolve('Item', 'failing', () => {
  throw new Error('a resolver failed');
});
resolve('Item', 'nonNullFailing', (item) => ((item as { videoId: string }).videoId === 'sandbox:b' ? null : 'here'));
resolve('Item', 'later', async (item) => `later ${(item as { videoId: string }).videoId}`);

const at = new Date('2026-12-03T18:00:00.123Z');
const events = [
  {
    sequence: 1,
    status: 'RUNNING',
    item: { videoId: 'sandbox:a', status: 'SUCCEEDED', updatedAt: at, restorableUntil: at, error: null },
    items: [],
    discovery: null,
  },
  {
    sequence: 2,
    status: 'FAILED',
    item: {
      videoId: 'sandbox:b',
      status: 'FAILED',
      updatedAt: at,
      restorableUntil: null,
      error: { code: 'FORBIDDEN', message: 'not yours', retryable: false },
    },
    items: [
      { videoId: 'sandbox:c', status: 'RUNNING', updatedAt: at, restorableUntil: null, error: null },
      { videoId: 'sandbox:d', status: 'SUCCEEDED', updatedAt: at, restorableUntil: at, error: null },
    ],
    discovery: { found: 2, complete: true },
  },
  // A value the scalar refuses, and an item missing where the selection goes on.
  {
    sequence: 3,
    status: 'SUCCEEDED',
    item: { videoId: 'sandbox:e', status: 'SUCCEEDED', updatedAt: 'soon' },
    items: [],
  },
];

const documents: { name: string; text: string; variables: Record<string, unknown> }[] = [
  {
    name: 'every field, fragments, aliases and __typename',
    text: `subscription Watch($operationId: ID!, $after: Int) {
      progress(operationId: $operationId, after: $after) {
        __typename sequence status after tenant discovery { found complete }
        item { __typename ...ItemFields }
        items { id: videoId ... on Item { status updatedAt } }
      }
    }
    fragment ItemFields on Item { videoId status updatedAt restorableUntil restorable error { code message retryable } }`,
    variables: { operationId: 'op', after: 5 },
  },
  {
    name: 'an argument left to its default, and @include/@skip from variables',
    text: `subscription Slim($operationId: ID!, $withItem: Boolean!, $skipStatus: Boolean = true) {
      progress(operationId: $operationId) { sequence after status @skip(if: $skipStatus) item @include(if: $withItem) { videoId } }
    }`,
    variables: { operationId: 'op', withItem: false },
  },
  {
    name: 'resolvers that throw, return null for a non-null field, or answer later',
    text: `subscription Errors($operationId: ID!) {
      progress(operationId: $operationId) { sequence item { videoId failing later nonNullFailing } }
    }`,
    variables: { operationId: 'op' },
  },
];

/** What goes on the wire: the result as JSON, errors with their message, path and locations. */
function wire(result: ExecutionResult): unknown {
  return JSON.parse(
    JSON.stringify({
      data: result.data,
      errors: result.errors?.map((error) => ({ message: error.message, path: error.path, locations: error.locations })),
    }),
  );
}

describe('eventExecutor', () => {
  for (const { name, text, variables } of documents) {
    it(`gives what graphql-js's execute gives: ${name}`, async () => {
      const document = parse(text);
      const contextValue = { tenant: 'acme' };
      const run = eventExecutor({ schema, document, contextValue, variableValues: variables });
      // Compiled, not the fallback to graphql-js, or this would compare graphql-js with itself.
      expect(run.compiled).toBe(true);
      for (const event of events) {
        const expected = await execute({ schema, document, contextValue, variableValues: variables, rootValue: event });
        expect(wire(await run(event))).toEqual(wire(expected));
      }
    });
  }

  it('runs one document for two groups, each with its own context and variables', async () => {
    const document = parse(documents[0]!.text);
    const first = eventExecutor({
      schema,
      document,
      contextValue: { tenant: 'a' },
      variableValues: documents[0]!.variables,
    });
    const second = eventExecutor({
      schema,
      document,
      contextValue: { tenant: 'b' },
      variableValues: { operationId: 'x' },
    });
    const [a, b] = await Promise.all([first(events[0]), second(events[0])]);
    expect((a.data as { progress: { tenant: string; after: number } }).progress).toMatchObject({
      tenant: 'a',
      after: 5,
    });
    expect((b.data as { progress: { tenant: string; after: number } }).progress).toMatchObject({
      tenant: 'b',
      after: 0,
    });
  });
});
