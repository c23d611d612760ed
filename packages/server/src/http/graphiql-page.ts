/** What a browser reads first, before any stored tab: what the page is and how to authenticate. */
const DEFAULT_QUERY = `# unreel GraphiQL: queries and mutations go over HTTP, subscriptions over the WebSocket
# at the same URL (deletionProgress). With API keys configured, put
# { "authorization": "Bearer <your key>" } in the Headers tab below.

query Accounts {
  accounts {
    name
    provider
  }
}
`;

/**
 * How the GraphiQL page is rendered (graphql-yoga's GraphiQL 5, every script and style inline). The page is rendered at
 * build time (scripts/build-graphiql.mjs), not at run time: the renderer declares graphql-yoga as a peer dependency,
 * whose own dependencies need Node 22, so it must not be one of the server's dependencies.
 *
 * @public Used by scripts/build-graphiql.mjs, which imports the built file (knip cannot follow that before a build).
 */
export const GRAPHIQL_PAGE_OPTIONS = {
  title: 'unreel GraphiQL',
  defaultQuery: DEFAULT_QUERY,
  subscriptionsProtocol: 'WS',
  credentials: 'same-origin',
} as const;

/** Where the build writes the page, gzipped, relative to this package's dist/. */
export const GRAPHIQL_PAGE_FILE = 'graphiql/graphiql.html.gz';
