import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type wsTransport from '@graphql-mesh/transport-ws';
import { buildGraphQLWSExecutor } from '@graphql-tools/executor-graphql-ws';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startGateway, type Gateway } from '../federation/start-gateway.js';

/**
 * Hive Gateway 2 takes one URL per subgraph (its `join__graph` url, or a transport entry's `location`): it has no
 * load balancing over replicas of one subgraph. Operators put a Service or proxy behind that URL; here the gateway
 * picks a replica itself, round-robin, per upstream request and per upstream socket, so a test knows which replica
 * holds the socket it kills.
 */
export interface ReplicaGateway extends Gateway {
  /** The replica the current upstream graphql-ws socket was opened to, once one was. */
  socketReplica(): string | undefined;
}

export async function startReplicaGateway(
  supergraph: string,
  subgraph: string,
  replicas: readonly string[],
): Promise<ReplicaGateway> {
  let next = 0;
  const pick = (): string => replicas[next++ % replicas.length] as string;
  let socketReplica: string | undefined;

  const balance: GatewayPlugin = {
    onFetch({ url, setURL }) {
      if (replicas.some((replica) => url === replica)) setURL(pick());
    },
  };
  // Hive Gateway's own ws transport leaves graphql-ws at its default of 5 reconnects, each resubscribing with the
  // variables of the first subscribe: after a replica dies the client would be sent again everything from its first
  // `after`. Here an upstream socket that closes fails its subscriptions, and the client resubscribes from the last
  // sequence it saw.
  const client = createClient({
    url: () => {
      socketReplica = pick();
      return socketReplica.replace(/^http/, 'ws');
    },
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
  });
  const executor = buildGraphQLWSExecutor(client);
  const ws = { getSubgraphExecutor: () => executor } as unknown as typeof wsTransport;

  const gateway = await startGateway(supergraph, [subgraph], {
    plugins: [balance],
    ws,
    // Queries only: a mutation sent to a replica that died after reading it may have been acted on.
    upstreamRetry: ({ executionRequest }) =>
      executionRequest.operationType === 'query' ? { maxRetries: replicas.length, retryDelay: 50 } : undefined,
  });
  return {
    ...gateway,
    socketReplica: () => socketReplica,
    async close() {
      await client.dispose();
      await gateway.close();
    },
  };
}
