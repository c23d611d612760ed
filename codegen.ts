import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for frontends: the schema emitted from the server code plus the documents in schema/operations.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'schema/operations/*.graphql',
  generates: {
    'packages/client/src/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        nonOptionalTypename: false,
        skipTypename: true,
        dedupeFragments: true,
      },
    },
  },
  hooks: {},
};

export default config;
