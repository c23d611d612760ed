import { performance } from 'node:perf_hooks';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  GraphQLError,
  createSourceEventStream,
  getOperationAST,
  subscribe,
  type ExecutionResult,
  type FormattedExecutionResult,
} from 'graphql';
import { makeServer, type Context } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { ProgressStream, type DeletionEngine } from '@unreel/core';
import { readBearerToken } from '../auth/bearer-token.js';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { RequestScope, RequestScopes } from '../di/request-scopes.js';
import { requestIdFrom } from '../http/request-id.js';
import type { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { formatWebSocketErrors } from './format-error.js';
import { serveGraphqlWs, type SocketBufferLimits, type SocketExtra } from './graphql-ws-adapter.js';
import { ProgressFanout, type ProgressTarget } from './progress-fanout.js';
import { SocketQuota } from './socket-quota.js';
import type { GraphqlRuntime } from './graphql-runtime.js';

export interface WebSocketTransportOptions {
  wsServer: WebSocketServer;
  graphql: GraphqlRuntime;
  scopes: RequestScopes;
  engine: DeletionEngine;
  tenants: TenantDirectory;
  metrics: UnreelMetrics;
  logger: Logger;
  maxSubscriptionsPerSocket: number;
  /** Sockets one tenant, or without tenants one client address, may have open once past connection_init. */
  maxSocketsPerTenant: number;
  /** How much one socket may have waiting to be sent, and for how long, before it is closed with 4431. */
  socketBuffer: SocketBufferLimits;
}

/**
 * The close code for "too many sockets". graphql-ws's own 4429 (TooManyInitialisationRequests) means a second
 * connection_init on one socket, so a client could not tell the two apart; 4430 is free in the protocol's range for
 * the client's side of things, and graphql-ws's client retries it (with its backoff), as a place may free up.
 */
const TOO_MANY_SOCKETS_CLOSE_CODE = 4430;

/**
 * How long a socket may stay open without connection_init (graphql-ws's default, made explicit): until then it is
 * nobody's, so no tenant's limit holds it, and this wait is what bounds it.
 */
const CONNECTION_INIT_WAIT_MS = 3_000;

/** What one socket carries from its connection_init to its close. */
interface SocketState {
  tenant: string;
  connectionId: string;
  operations: Map<string, { scope: RequestScope; name: string | null; type: string; started: number }>;
}

type SocketContext = Context<Record<string, unknown> | undefined, SocketExtra>;

/**
 * graphql-ws on the HTTP server's port, held to the same rules as HTTP: the API key in connectionParams (a missing
 * or wrong one closes the socket with 4403), the documents HTTP has (one store, the same parse and validation
 * limits), a child container per operation, the same error formatter, and bounds on the sockets a tenant may have
 * open and on what one socket may have open.
 */
export function useWebSocketTransport(options: WebSocketTransportOptions): { dispose: () => Promise<void> } {
  const { scopes, tenants, metrics, logger, maxSubscriptionsPerSocket } = options;
  const { schema, documents, format } = options.graphql;
  const states = new WeakMap<object, SocketState>();
  const quota = new SocketQuota(options.maxSocketsPerTenant);
  // What onNext below does to a result graphql-ws sends, done to a shared progress payload.
  const formatResult = ({ errors, ...rest }: ExecutionResult): ExecutionResult | FormattedExecutionResult =>
    errors ? ({ ...rest, errors: formatWebSocketErrors(errors, format) } as FormattedExecutionResult) : rest;
  const fanout = new ProgressFanout({ engine: options.engine, scopes, formatResult });
  /** A subscription's socket and id, found from the context graphql-ws hands `subscribe` (which gets nothing else). */
  const targets = new WeakMap<object, ProgressTarget>();

  const finish = (ctx: SocketContext, id: string, outcome: 'completed' | 'closed'): Promise<void> | undefined => {
    const state = states.get(ctx);
    const operation = state?.operations.get(id);
    if (!state || !operation) return undefined;
    state.operations.delete(id);
    if (operation.type === 'subscription') metrics.subscriptionClosed();
    // Apollo's request log (requestLogPlugin) does not see these operations: this is their line.
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
    connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
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
      // Without tenants everyone is `default`: the client address is then what tells one caller from another.
      const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
      const holder = tenants.enabled ? `tenant ${result.tenant}` : `address ${address}`;
      const { socket } = ctx.extra;
      if (!quota.take(holder)) {
        metrics.socketLimitReached(result.tenant);
        logger.warn(
          { connectionId, tenant: result.tenant, address, limit: quota.limit },
          'websocket refused: too many sockets',
        );
        const whose = tenants.enabled ? 'for this tenant' : 'from this address';
        // Closed with our code here; graphql-ws's own close (4403) after `false` is then a no-op on a closing socket.
        socket.close(TOO_MANY_SOCKETS_CLOSE_CODE, `Too many sockets ${whose}: at most ${quota.limit} at once`);
        return false;
      }
      // Given back on the socket's own close event, the one that also lowers unreel_websockets_open.
      socket.once('close', () => quota.release(holder));
      states.set(ctx, { tenant: result.tenant, connectionId, operations: new Map() });
      return true;
    },
    // Without this hook graphql-ws would parse and validate every operation itself, without our limits, and close
    // the socket on a syntax error; here a bad document is answered with coded errors, as over HTTP.
    onSubscribe: async (ctx, id, payload) => {
      // graphql-ws has already reserved this id, so the count includes the operation being asked for. Counted
      // before anything is awaited, so a `complete` the client sent first has already freed its place.
      if (Object.keys(ctx.subscriptions).length > maxSubscriptionsPerSocket) {
        return [
          new GraphQLError(
            `Too many operations open on this socket: at most ${maxSubscriptionsPerSocket} at once; complete one first`,
            { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } },
          ),
        ];
      }
      const document = await documents.load(payload.query);
      if (Array.isArray(document)) return document;
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) {
        // graphql-ws would send its own uncoded "Unable to identify operation"; these are graphql's words for it,
        // which Apollo sends over HTTP with this code.
        const message =
          payload.operationName != null
            ? `Unknown operation named "${payload.operationName}".`
            : 'Must provide operation name if query contains multiple operations.';
        return [
          new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE } }),
        ];
      }
      const state = states.get(ctx) as SocketState;
      const scope = scopes.open(state.tenant, `${state.connectionId}/${id}`);
      if (operation.operation === 'subscription') {
        metrics.subscriptionOpened();
        targets.set(scope.context, { writer: ctx.extra.writer, id });
      }
      state.operations.set(id, {
        scope,
        name: operation.name?.value ?? null,
        type: operation.operation,
        started: performance.now(),
      });
      return {
        schema,
        document,
        operationName: payload.operationName ?? null,
        variableValues: payload.variables ?? null,
        contextValue: scope.context,
      };
    },
    // deletionProgress goes through the fan-out: the resolver's `subscribe` still runs per subscriber (argument checks,
    // the subscriber's tenant), and the ProgressStream it returns says what to deliver from where; its events are
    // then executed and serialised once per group, not once per subscriber (see ProgressFanout).
    subscribe: async (args) => {
      const source = await createSourceEventStream(args);
      const target = targets.get(args.contextValue as object);
      if (source instanceof ProgressStream && target) {
        await source.return();
        return fanout.deliver(source, args, target);
      }
      // Not a progress stream (no such field today): graphql's own subscribe, which calls the resolver again.
      if (Symbol.asyncIterator in source) await (source as AsyncIterableIterator<unknown>).return?.();
      else return source;
      return subscribe(args);
    },
    onError: (_ctx, _id, _payload, errors) => formatWebSocketErrors(errors, format),
    // Only a result with errors is rewritten (undefined sends the result as it is).
    onNext: (_ctx, _id, _payload, _args, { errors, ...rest }) =>
      errors ? ({ ...rest, errors: formatWebSocketErrors(errors, format) } as FormattedExecutionResult) : undefined,
    // graphql-ws also completes the subscriptions a closing socket ends (it returns their streams), often before
    // onClose runs: the socket's state tells which it was.
    onComplete: async (ctx, id) => {
      const { socket } = ctx.extra;
      await finish(ctx, id, socket.readyState === socket.OPEN ? 'completed' : 'closed');
    },
    onClose: async (ctx) => {
      const state = states.get(ctx);
      if (!state) return;
      await Promise.all([...state.operations.keys()].map((id) => finish(ctx, id, 'closed')));
    },
  });
  return serveGraphqlWs(options.wsServer, server, { logger, metrics, buffer: options.socketBuffer });
}
