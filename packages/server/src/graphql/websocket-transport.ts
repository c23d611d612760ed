import { performance } from 'node:perf_hooks';
import {
  GraphQLError,
  getOperationAST,
  type FormattedExecutionResult,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
} from 'graphql';
import { makeServer, type Context } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { readBearerToken } from '../auth/bearer-token.js';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { RequestScope, RequestScopes } from '../di/request-scopes.js';
import { requestIdFrom } from '../http/request-id.js';
import type { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { formatWebSocketErrors } from './format-error.js';
import { serveGraphqlWs, type SocketExtra } from './graphql-ws-adapter.js';
import type { GraphqlRuntime } from './graphql-runtime.js';

export interface WebSocketTransportOptions {
  wsServer: WebSocketServer;
  graphql: GraphqlRuntime;
  scopes: RequestScopes;
  tenants: TenantDirectory;
  metrics: UnreelMetrics;
  logger: Logger;
  maxSubscriptionsPerSocket: number;
}

/** What one socket carries from its connection_init to its close. */
interface SocketState {
  tenant: string;
  connectionId: string;
  operations: Map<
    string,
    { scope: RequestScope; name: string | null; type: string; started: number; subscription: boolean }
  >;
}

type SocketContext = Context<Record<string, unknown> | undefined, SocketExtra>;

/**
 * graphql-ws on the HTTP server's port, held to the same rules as HTTP: the API key in connectionParams (a missing
 * or wrong one closes the socket with 4403), the same parse and validation limits, a child container per operation,
 * the same error codes, and a bound on what one socket may have open.
 */
export function useWebSocketTransport(options: WebSocketTransportOptions): { dispose: () => Promise<void> } {
  const { scopes, tenants, metrics, logger, maxSubscriptionsPerSocket } = options;
  const { schema, format, rules } = options.graphql;
  const states = new WeakMap<object, SocketState>();
  const validationRules = [...specifiedRules, ...rules.validationRules];

  const finish = (ctx: SocketContext, id: string, outcome: 'completed' | 'closed'): Promise<void> | undefined => {
    const state = states.get(ctx);
    const operation = state?.operations.get(id);
    if (!state || !operation) return undefined;
    state.operations.delete(id);
    if (operation.subscription) metrics.subscriptionClosed();
    operation.scope.context.logger.info(
      {
        transport: 'websocket',
        operationName: operation.name,
        operationType: operation.type,
        outcome,
        durationMs: Math.round(performance.now() - operation.started),
      },
      'graphql operation',
    );
    return operation.scope.dispose();
  };

  const server = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    schema,
    onConnect: (ctx) => {
      const params = ctx.connectionParams;
      const presented =
        readBearerToken(params?.authorization ?? params?.Authorization, { allowBare: true }) ??
        readBearerToken(ctx.extra.request.headers.authorization);
      const result = tenants.authenticate(presented);
      const connectionId = requestIdFrom(ctx.extra.request.headers['x-request-id']);
      if ('failure' in result) {
        metrics.authFailed('websocket');
        logger.warn({ connectionId, reason: result.failure }, 'websocket refused: missing or unknown API key');
        return false;
      }
      states.set(ctx, { tenant: result.tenant, connectionId, operations: new Map() });
      return true;
    },
    // Parse and validate here, with the HTTP limits, so a bad document is answered with coded errors instead of
    // closing the socket, and a huge one is refused before it is built.
    onSubscribe: (ctx, _id, payload) => {
      // graphql-ws has already reserved this id, so the count includes the operation being asked for.
      if (Object.keys(ctx.subscriptions).length > maxSubscriptionsPerSocket) {
        return [
          new GraphQLError(
            `Too many operations open on this socket: at most ${maxSubscriptionsPerSocket} at once; complete one first`,
            {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            },
          ),
        ];
      }
      let document: DocumentNode;
      try {
        document = parse(payload.query, rules.parseOptions);
      } catch (error) {
        return [
          error instanceof GraphQLError ? error : new GraphQLError('Syntax Error: the document could not be parsed'),
        ];
      }
      const errors = validate(schema, document, validationRules);
      if (errors.length > 0) return errors;
      return {
        schema,
        document,
        variableValues: payload.variables ?? null,
        operationName: payload.operationName ?? null,
      };
    },
    context: (ctx, id, _payload, args) => {
      const state = states.get(ctx) as SocketState;
      const scope = scopes.open(state.tenant, `${state.connectionId}/${id}`);
      const operation = getOperationAST(args.document, args.operationName);
      const subscription = operation?.operation === 'subscription';
      if (subscription) metrics.subscriptionOpened();
      state.operations.set(id, {
        scope,
        name: operation?.name?.value ?? null,
        type: operation?.operation ?? 'unknown',
        started: performance.now(),
        subscription,
      });
      return scope.context;
    },
    onError: (_ctx, _id, _payload, errors) => formatWebSocketErrors(errors, 'validation', format),
    // Only a result with errors is rewritten (undefined sends the result as it is).
    onNext: (_ctx, _id, _payload, _args, { errors, ...rest }) =>
      errors
        ? ({ ...rest, errors: formatWebSocketErrors(errors, 'execution', format) } as FormattedExecutionResult)
        : undefined,
    onComplete: async (ctx, id) => {
      await finish(ctx, id, 'completed');
    },
    onClose: async (ctx) => {
      const state = states.get(ctx);
      if (!state) return;
      await Promise.all([...state.operations.keys()].map((id) => finish(ctx, id, 'closed')));
    },
  });
  return serveGraphqlWs(options.wsServer, server, { logger, metrics });
}
