import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

// Typed documents for frontends: the schema emitted from the server code plus the documents in schema/operations.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'schema/operations/*.graphql',
  generates: {
    'packages/client/src/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        // Apollo Client's and urql's caches key objects by __typename: every object selects it (the document transform
        // below puts it in the documents, fragments included, so a plain fetch gets what the types say).
        nonOptionalTypename: true,
        skipTypename: false,
        // A subscription's root selects one field only (the transform leaves it alone), so no root __typename is typed.
        skipTypeNameForRoot: true,
        dedupeFragments: true,
      },
    },
  },
  hooks: {},
};

export default config;
