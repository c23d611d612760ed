import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createGatewayRuntime,
  getGraphQLWSOptions,
  type GatewayConfigSupergraph,
  type GatewayPlugin,
} from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import wsTransport from '@graphql-mesh/transport-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

export interface Gateway {
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Hive Gateway's runtime in this process, serving a supergraph on node:http, with graphql-ws for clients. Queries
 * and mutations reach subgraphs over HTTP; subscriptions reach the named subgraphs over graphql-ws.
 */
export async function startGateway(
  supergraph: string,
  subscriptionSubgraphs: readonly string[],
  {
    plugins = [],
    ws = wsTransport,
    upstreamRetry,
  }: {
    plugins?: GatewayPlugin[];
    /** The transport subscriptions reach their subgraph with (default: Hive Gateway's graphql-ws transport). */
    ws?: typeof wsTransport;
    upstreamRetry?: GatewayConfigSupergraph['upstreamRetry'];
  } = {},
): Promise<Gateway> {
  const gateway = createGatewayRuntime({
    supergraph,
    logging: false,
    plugins: () => plugins,
    ...(upstreamRetry ? { upstreamRetry } : {}),
    // Given here rather than imported by name at run time, so the test does not depend on how pnpm hoists them.
    transports: { http: httpTransport, ws },
    transportEntries: Object.fromEntries(
      subscriptionSubgraphs.map((name) => [name, { options: { subscriptions: { kind: 'ws', location: '/graphql' } } }]),
    ),
  });
  const server = createServer(gateway);
  const wsServer = new WebSocketServer({ server, path: gateway.graphqlEndpoint });
  const wsCleanup = useServer(
    getGraphQLWSOptions<Record<string, unknown>, Extra>(gateway, (ctx) => ({
      req: ctx.extra.request,
      socket: ctx.extra.socket,
      request: new gateway.fetchAPI.Request(`http://gateway${ctx.extra.request.url ?? '/graphql'}`, {
        headers: Object.entries(ctx.extra.request.headers).flatMap(([name, value]) =>
          value === undefined
            ? []
            : (Array.isArray(value) ? value : [value]).map((item): [string, string] => [name, item]),
        ),
      }),
    })),
    wsServer,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${gateway.graphqlEndpoint}`,
    wsUrl: `ws://127.0.0.1:${port}${gateway.graphqlEndpoint}`,
    async close() {
      await wsCleanup.dispose();
      await gateway.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
