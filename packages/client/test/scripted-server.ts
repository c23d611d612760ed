import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { buildSchema, execute, graphql, subscribe, validate, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

export interface ScriptedEvent {
  sequence: number;
  status: 'RUNNING' | 'SUCCEEDED';
}

/** What one subscription does: the events to send for this `after`, then how it ends. */
export interface Script {
  events: ScriptedEvent[];
  end: 'complete' | 'drop';
}

export interface ScriptedServer {
  url: string;
  /** The `after` of every subscription received, in order. */
  afters: number[];
  close(): Promise<void>;
}

/**
 * A GraphQL server over HTTP and graphql-ws with unreel's public schema (the one this package ships), whose
 * deletionProgress plays a script instead of the journal: it replays, skips or stops where a test says, which the
 * real server never does. `deletion` answers the status the test gives.
 */
export async function startScriptedServer(
  script: (after: number, call: number) => Script,
  status: () => 'RUNNING' | 'SUCCEEDED',
): Promise<ScriptedServer> {
  const schema = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
  const afters: number[] = [];
  wire(schema, script, status, afters);
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, unknown> };
      void graphql({ schema, source: query, variableValues: variables }).then((result) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(result));
      });
    });
  });
  const sockets = new WebSocketServer({ server, path: '/graphql' });
  // graphql's own functions from this module's copy: Vite may load graphql as ESM where graphql-ws gets CommonJS.
  useServer({ schema, execute, subscribe, validate, context: (ctx) => ctx }, sockets);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    afters,
    async close() {
      for (const socket of sockets.clients) socket.terminate();
      await new Promise((resolve) => sockets.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function wire(
  schema: GraphQLSchema,
  script: (after: number, call: number) => Script,
  status: () => 'RUNNING' | 'SUCCEEDED',
  afters: number[],
): void {
  const deletion = schema.getQueryType()?.getFields().deletion;
  const progress = schema.getSubscriptionType()?.getFields().deletionProgress;
  if (!deletion || !progress) throw new Error('the shipped schema lacks deletion or deletionProgress');
  deletion.resolve = (_root, args: { id: string }) => ({
    id: args.id,
    status: status(),
    total: 10,
    deleted: 0,
    notFound: 0,
    failed: 0,
    restored: 0,
    cancelled: 0,
    pending: 0,
    createdAt: new Date(0).toISOString(),
    finishedAt: null,
    items: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
  });
  progress.resolve = (event: unknown) => event;
  progress.subscribe = async function* (_root, args: { operationId: string; after?: number }, context: unknown) {
    const after = args.after ?? 0;
    afters.push(after);
    const { events, end } = script(after, afters.length);
    for (const { sequence, status: operationStatus } of events)
      yield {
        operationId: args.operationId,
        sequence,
        total: 10,
        completed: sequence,
        status: operationStatus,
        item: {
          videoId: `sandbox:vid-${sequence}`,
          operationId: args.operationId,
          status: 'DELETED',
          error: null,
          attempts: 1,
          restorable: false,
          restorableUntil: null,
          confirmedAt: null,
          updatedAt: new Date(0).toISOString(),
        },
      };
    // A server that went away: the socket dies without a completion.
    if (end === 'drop') (context as { extra: { socket: { terminate(): void } } }).extra.socket.terminate();
  };
}
