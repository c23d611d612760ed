import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config-schema.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import { buildUnreelSubgraphSchema } from '../schema/build-subgraph-schema.js';
import { DocumentStore } from './document-store.js';
import { createErrorFormatter, type ErrorFormatter } from './format-error.js';
import { documentRules, type DocumentRules } from './query-limits.js';

/** What both transports execute with, so a document meets the same schema, limits and error codes over HTTP and WebSocket. */
export interface GraphqlRuntime {
  /** The subgraph schema: a gateway's `_entities` over HTTP, its subscriptions over graphql-ws. */
  schema: GraphQLSchema;
  introspection: boolean;
  rules: DocumentRules;
  /** Parsed and validated documents: Apollo's documentStore over HTTP, the same store over WebSocket. */
  documents: DocumentStore;
  format: ErrorFormatter;
}

export async function createGraphqlRuntime(
  settings: ServerConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  secrets: SecretRegistry,
): Promise<GraphqlRuntime> {
  const schema = await buildUnreelSubgraphSchema();
  const introspection = settings.introspection ?? env.NODE_ENV !== 'production';
  const rules = documentRules(settings.queryLimits, { introspection });
  return {
    schema,
    introspection,
    rules,
    documents: new DocumentStore(schema, rules),
    format: createErrorFormatter(logger, secrets, { hideSchemaDetails: !introspection }),
  };
}
