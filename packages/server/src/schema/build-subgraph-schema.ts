import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { graphql, lexicographicSortSchema, parse, type GraphQLSchema } from 'graphql';
import { createResolversMap } from 'type-graphql';
import type { UnreelContext } from '../graphql/context.js';
import { buildUnreelSchema } from './build-schema.js';
import {
  DeletionResultReferenceResolver,
  type DeletionResultRepresentation,
} from './resolvers/deletion-result.reference.js';
import { VideoReferenceResolver, type VideoRepresentation } from './resolvers/video.reference.js';

type SubgraphResolverMap = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers']
>;

/** v2.5 or newer, so that a Subscription type composes in a supergraph. */
const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.5';

/**
 * The schema unreel serves: the type-graphql API schema as an Apollo Federation 2 subgraph, with `_service` and
 * `_entities` for `Video` and `DeletionResult`. Every resolver, subscriptions and entity references included, is
 * the request's own instance, its services injected through its constructor.
 */
export async function buildUnreelSubgraphSchema(apiSchema?: GraphQLSchema): Promise<GraphQLSchema> {
  const api = apiSchema ?? (await buildUnreelSchema());
  // Sorted, so the SDL `_service` returns (and schema/subgraph.graphql) only changes when the schema does.
  const typeDefs = parse(
    `extend schema @link(url: "${FEDERATION_SPEC_URL}", import: ["@key"])\n\n${printSchemaWithDirectives(lexicographicSortSchema(api))}`,
  );
  // type-graphql's map is one the subgraph builder reads as is; its types are looser than @apollo/subgraph's.
  const resolvers = createResolversMap(api) as Record<string, Record<string, unknown>>;
  return buildSubgraphSchema({
    typeDefs,
    resolvers: {
      ...resolvers,
      Video: {
        ...resolvers['Video'],
        __resolveReference: (representation: VideoRepresentation, context: UnreelContext) =>
          context.resolve(VideoReferenceResolver).resolveReference(representation),
      },
      DeletionResult: {
        ...resolvers['DeletionResult'],
        __resolveReference: (representation: DeletionResultRepresentation, context: UnreelContext) =>
          context.resolve(DeletionResultReferenceResolver).resolveReference(representation),
      },
    } as SubgraphResolverMap,
  });
}

/** The SDL the subgraph answers to `{ _service { sdl } }`: what a gateway or a schema registry composes. */
export async function printUnreelSubgraphSdl(subgraphSchema: GraphQLSchema): Promise<string> {
  const result = await graphql({ schema: subgraphSchema, source: '{ _service { sdl } }' });
  const sdl = (result.data as { _service?: { sdl?: unknown } } | null | undefined)?._service?.sdl;
  if (typeof sdl !== 'string')
    throw new Error(`the subgraph answered no SDL: ${JSON.stringify(result.errors ?? result.data)}`);
  return sdl;
}
