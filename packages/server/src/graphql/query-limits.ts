import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { QueryLimits } from '../config/config-schema.js';
import { noSchemaIntrospectionRule } from './introspection-rule.js';

export interface DocumentRules {
  /** Applied on top of graphql's own rules, by Apollo over HTTP and by our onSubscribe over WebSocket. */
  validationRules: ValidationRule[];
  /** maxTokens: the parser gives up on a huge document before building it, not after. */
  parseOptions: ParseOptions;
}

/**
 * graphql-armor's limits as plain validation rules, so both transports apply the very same ones. A rejected
 * document is reported as an ordinary validation error (armor would throw out of `validate` and prefix
 * "Syntax Error"), naming the limit and what was found.
 */
export function documentRules(limits: QueryLimits, options: { introspection: boolean }): DocumentRules {
  const report = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(
          new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        ),
    ],
  };
  const validationRules: ValidationRule[] = [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...report }),
    costLimitRule({ maxCost: limits.maxCost, flattenFragments: true, ...report }),
    maxAliasesRule({ n: limits.maxAliases, ...report }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report }),
  ] as ValidationRule[];
  if (!options.introspection) validationRules.push(noSchemaIntrospectionRule);
  return { validationRules, parseOptions: { maxTokens: limits.maxTokens } };
}
