import { createUnreelServer, type UnreelConfigInput, type UnreelServer } from '@unreel/server';
import { data } from './graphql-http.js';
import { VideosDocument, type VideosQuery } from '@unreel/client';

export const SANDBOX = 'sandbox';

/** A real server on an ephemeral port with one small, fast sandbox account unless told otherwise. */
export function startTestServer(
  overrides: Partial<UnreelConfigInput> & { sandbox?: Record<string, unknown> } = {},
  options: { env?: NodeJS.ProcessEnv; logLevel?: string; logDestination?: NodeJS.WritableStream } = {},
): Promise<UnreelServer> {
  const { sandbox, ...config } = overrides;
  return createUnreelServer({
    port: 0,
    logLevel: options.logLevel ?? 'silent',
    ...(options.env ? { env: options.env } : {}),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
    config: {
      journal: { driver: 'memory' },
      accounts: [
        {
          name: SANDBOX,
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 400, seed: 7, latencyMs: [0, 3], ...sandbox },
        },
      ],
      ...config,
    },
  });
}

/** Video ids read through the API itself, as a frontend would get them (`headers` carry a tenant's key). */
export async function listVideoIds(
  url: string,
  account: string,
  count: number,
  headers: Record<string, string> = {},
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  while (ids.length < count) {
    const page: VideosQuery = await data(
      url,
      VideosDocument,
      { account, first: Math.min(100, count - ids.length), after },
      headers,
    );
    ids.push(...page.videos.edges.map((edge) => edge.node.id));
    if (!page.videos.pageInfo.hasNextPage) break;
    after = page.videos.pageInfo.endCursor;
  }
  return ids;
}
