import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { requestLogPlugin } from '../logging/request-log-plugin.js';
import type { UnreelContext } from './context.js';
import type { GraphqlRuntime } from './graphql-runtime.js';
import type { HttpRequestScopes } from './http-request-scopes.js';
import { httpSubscriptionGuard } from './http-subscription-guard.js';

export interface ApolloServerOptions {
  graphql: GraphqlRuntime;
  logger: Logger;
  httpServer: Server;
  /** The graphql-ws transport on the same HTTP server: its sockets are closed when Apollo drains. */
  websocket: { dispose(): Promise<void> };
  scopes: HttpRequestScopes;
}

/** Apollo Server for GraphQL over HTTP, started; stopping it drains HTTP and closes the WebSockets. */
export async function startApolloServer({
  graphql,
  logger,
  httpServer,
  websocket,
  scopes,
}: ApolloServerOptions): Promise<ApolloServer<UnreelContext>> {
  const apollo = new ApolloServer<UnreelContext>({
    schema: graphql.schema,
    // Apollo's own notices go through our logger, which redacts secrets.
    logger,
    formatError: graphql.format,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Introspection is refused by our own validation rule (rules.validationRules), the same one the WebSocket uses.
    introspection: true,
    hideSchemaDetailsFromClientErrors: !graphql.introspection,
    validationRules: graphql.rules.validationRules,
    parseOptions: graphql.rules.parseOptions,
    // Shared with the WebSocket transport, which validates a miss with the same options and rules.
    documentStore: graphql.documents.cache,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Per-field timings for a gateway that asks for them (ftv1); error messages in them are masked, never sent.
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
      // Apollo's landing pages load Apollo's CDN; browsers get our own GraphiQL instead (http/graphiql-route.ts).
      ApolloServerPluginLandingPageDisabled(),
      {
        async serverWillStart() {
          return { drainServer: () => websocket.dispose() };
        },
      },
      httpSubscriptionGuard,
      requestLogPlugin(),
      scopes.plugin,
    ],
  });
  await apollo.start();
  return apollo;
}
