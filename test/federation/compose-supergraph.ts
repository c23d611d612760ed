import { composeServices } from '@apollo/composition';
import { parse, type DocumentNode } from 'graphql';

export interface SubgraphSource {
  name: string;
  url: string;
  typeDefs: DocumentNode;
}

/** Composes subgraphs into a supergraph as a schema registry would, failing with composition's own messages. */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): string {
  const result = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((error) => error.message).join('\n')}`);
  return result.supergraphSdl;
}

/** A subgraph's SDL as a registry reads it: `{ _service { sdl } }` over HTTP. */
export async function fetchSubgraphSdl(url: string): Promise<DocumentNode> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = (await response.json()) as { data?: { _service?: { sdl?: string } } };
  const sdl = body.data?._service?.sdl;
  if (!sdl) throw new Error(`${url} answered no _service.sdl: ${JSON.stringify(body)}`);
  return parse(sdl);
}
