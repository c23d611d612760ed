import { createRequire } from 'node:module';
import { ApolloServer } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
// Apollo gets graphql from Node (its CommonJS build), where vitest would hand this file and ../src its ESM build, and
// a schema of one is no schema to the other; so the store and graphql are loaded as Apollo's are, compiled.
import { DocumentStore } from '../dist/graphql/document-store.js';
import { documentRules } from '../dist/graphql/query-limits.js';

const { buildSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const schema = buildSchema(`
  type Query { node: Node, nodes: [Node] }
  type Node { id: ID!, child: Node }
`);
const limits = { maxDepth: 3, maxCost: 20_000, maxAliases: 2, maxTokens: 40, maxDirectives: 2 };

/** An Apollo Server as ours is set up (our rules, the store as its documentStore), counting the parses it does. */
async function apolloWith(
  store: DocumentStore,
  introspection: boolean,
): Promise<{ apollo: ApolloServer; parses: () => number }> {
  const rules = documentRules(limits, { introspection });
  let parses = 0;
  const apollo = new ApolloServer({
    schema,
    introspection: true,
    validationRules: rules.validationRules,
    parseOptions: rules.parseOptions,
    documentStore: store.cache,
    plugins: [{ requestDidStart: async () => ({ parsingDidStart: async () => void parses++ }) }],
  });
  await apollo.start();
  return { apollo, parses: () => parses };
}

async function overHttp(apollo: ApolloServer, query: string): Promise<{ message: string; code: unknown }[]> {
  const response = await apollo.executeOperation({ query });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return (response.body.singleResult.errors ?? []).map(({ message, extensions }) => ({
    message,
    code: extensions?.code,
  }));
}

async function overWebSocket(store: DocumentStore, query: string): Promise<{ message: string; code: unknown }[]> {
  const loaded = await store.load(query);
  return Array.isArray(loaded) ? loaded.map(({ message, extensions }) => ({ message, code: extensions.code })) : [];
}

describe('DocumentStore', () => {
  it('hands the WebSocket the very document Apollo validated over HTTP, and Apollo the one the WebSocket did', async () => {
    const store = new DocumentStore(schema, documentRules(limits, { introspection: true }));
    const { apollo, parses } = await apolloWith(store, true);
    try {
      await overHttp(apollo, '{ node { id } }');
      expect(parses()).toBe(1);
      const [key] = store.cache.keys();
      const fromHttp = await store.cache.get(key ?? '');
      expect(fromHttp).toBeDefined();
      expect(await store.load('{ node { id } }')).toBe(fromHttp);

      const fromWebSocket = (await store.load('{ nodes { id } }')) as DocumentNode;
      expect(await store.load('{ nodes { id } }')).toBe(fromWebSocket);
      expect(await overHttp(apollo, '{ nodes { id } }')).toEqual([]);
      expect(parses()).toBe(1);
      expect(store.cache.keys()).toHaveLength(2);
    } finally {
      await apollo.stop();
    }
  });

  it.each([
    ['a syntax error', '{ node { id '],
    ['too many tokens', `{ ${'node { id } '.repeat(10)}}`],
    ['an unknown field', '{ node { nope } }'],
    ['an unknown field close to a real one', '{ nodez { id } }'],
    ['a query too deep', '{ node { child { child { child { child { id } } } } } }'],
    ['too many aliases', '{ a: node { id } b: node { id } c: node { id } }'],
    ['introspection where it is off', '{ __schema { queryType { name } } }'],
  ])('refuses %s with the same message and code as Apollo, and keeps nothing', async (_name, query) => {
    const store = new DocumentStore(schema, documentRules(limits, { introspection: false }));
    const { apollo } = await apolloWith(store, false);
    try {
      const http = await overHttp(apollo, query);
      const webSocket = await overWebSocket(store, query);
      expect(http.length).toBeGreaterThan(0);
      expect(webSocket).toEqual(http);
      expect(store.cache.keys()).toEqual([]);
    } finally {
      await apollo.stop();
    }
  });
});
