import { GraphQLError, getNamedType, isIntrospectionType, type ValidationRule } from 'graphql';

/**
 * Introspection off means the schema is not handed out, and a federation subgraph hands it out in two ways:
 * `__schema` and `__type` (what graphql's NoSchemaIntrospectionCustomRule refuses), and `Query._service { sdl }`,
 * the whole subgraph SDL. This is graphql's rule with `_service` added, in graphql's words. A validation rule, so
 * both transports refuse alike and nothing is resolved; it depends on the server's settings only, never on the
 * caller, because a validated document is cached and reused for every caller (docs/DESIGN.md, "Introspection").
 */
export const noSchemaIntrospectionRule: ValidationRule = (context) => {
  const queryType = context.getSchema().getQueryType();
  return {
    Field(node) {
      const type = getNamedType(context.getType());
      const sdl = node.name.value === '_service' && context.getParentType() === queryType;
      if (sdl || (type && isIntrospectionType(type))) {
        context.reportError(
          new GraphQLError(
            `GraphQL introspection has been disabled, but the requested query contained the field "${node.name.value}".`,
            { nodes: node },
          ),
        );
      }
    },
  };
};
