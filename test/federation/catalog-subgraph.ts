import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { createYoga } from 'graphql-yoga';

/**
 * Another team's subgraph, as a test fixture: the catalog owns which videos are featured and adds a `shelf` to
 * unreel's `Video`, computed from unreel's `status` through `@requires`, so the gateway has to fetch the status
 * from unreel before it can ask the catalog for the shelf.
 */
export const catalogTypeDefs: DocumentNode = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@external", "@requires"])

  type Query {
    "The videos the catalog features, in its order."
    featured(first: Int): [Video!]!
  }

  type Video @key(fields: "id") {
    id: ID!
    status: VideoStatus! @external
    "Where the catalog shows this video, which depends on its status at the provider."
    shelf: String! @requires(fields: "status")
    "The video's place in the featured list, counted from 1; null when it is not featured."
    featuredRank: Int
  }

  enum VideoStatus {
    PROCESSING
    READY
    FAILED
    DELETED
    UNKNOWN
  }
`);

interface VideoReference {
  id: string;
  status?: string;
}

export interface CatalogSubgraph {
  url: string;
  /** Every representation the gateway sent this subgraph, to see what @requires brought along. */
  received: VideoReference[];
  close(): Promise<void>;
}

export async function startCatalogSubgraph(featuredIds: readonly string[]): Promise<CatalogSubgraph> {
  const received: VideoReference[] = [];
  const schema = buildSubgraphSchema({
    typeDefs: catalogTypeDefs,
    resolvers: {
      Query: {
        featured: (_root: unknown, args: { first?: number | null }) =>
          featuredIds.slice(0, args.first ?? featuredIds.length).map((id) => ({ id })),
      },
      Video: {
        __resolveReference: (reference: VideoReference) => {
          received.push(reference);
          return reference;
        },
        shelf: (video: VideoReference) =>
          video.status === 'READY' ? 'now-showing' : video.status === 'DELETED' ? 'archive' : 'backstage',
        featuredRank: (video: VideoReference) => {
          const index = featuredIds.indexOf(video.id);
          return index < 0 ? null : index + 1;
        },
      },
    },
  });
  const yoga = createYoga({ schema, logging: false, graphqlEndpoint: '/graphql' });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
