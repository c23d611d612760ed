import { createHash } from 'node:crypto';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import {
  GraphQLError,
  parse,
  printSchema,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { DocumentRules } from './query-limits.js';

/**
 * Parsed and validated documents, one LRU for both transports. Apollo reads and fills it as its `documentStore`
 * over HTTP; the WebSocket transport goes through `load`, which parses and validates a miss exactly as Apollo does
 * (the same parse options, graphql's rules and then ours, Apollo's codes on what it refuses). So a document is
 * parsed and validated once, whichever transport brought it first, and a bad one is refused alike by both.
 */
export class DocumentStore {
  /** Apollo's `documentStore`: the same kind of LRU Apollo makes for itself when it is given none. */
  readonly cache = new InMemoryLRUCache<DocumentNode>();
  /** The key prefix Apollo puts on a store it is given: its hash of the schema (Apollo's generateSchemaDerivedData). */
  private readonly prefix: string;
  private readonly validationRules: ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: DocumentRules,
  ) {
    this.prefix = `${sha256(printSchema(schema))}:`;
    this.validationRules = [...specifiedRules, ...rules.validationRules];
  }

  /** The document, from the store or parsed and validated now; or why it is refused. */
  async load(query: string): Promise<DocumentNode | GraphQLError[]> {
    // Apollo's key for a query: the prefix, then the query's sha256 (its requestPipeline's computeQueryHash).
    const key = this.prefix + sha256(query);
    const cached = await this.cache.get(key);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, this.rules.parseOptions);
    } catch (error) {
      const syntax =
        error instanceof GraphQLError ? error : new GraphQLError('Syntax Error: the document could not be parsed');
      return [coded(syntax, ApolloServerErrorCode.GRAPHQL_PARSE_FAILED)];
    }
    const errors = validate(this.schema, document, this.validationRules);
    if (errors.length > 0) return errors.map((error) => coded(error, ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED));
    await this.cache.set(key, document);
    return document;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** As Apollo's SyntaxError and ValidationError: the same error, with the code that says which step refused it. */
function coded(error: GraphQLError, code: ApolloServerErrorCode): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    originalError: error,
    extensions: { ...error.extensions, code },
  });
}
