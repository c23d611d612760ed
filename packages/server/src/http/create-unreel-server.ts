import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { pino, type Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { WebSocketServer } from 'ws';
import { AccountRegistry, DeletionEngine, InMemoryEventBus } from '@unreel/core';
import { openJournal, scheduleRetention } from '../journal/open-journal.js';
import type { UnreelConfigInput } from '../config/config-schema.js';
import { loadConfig, parseConfig, type LoadedConfig } from '../config/load-config.js';
import { createRequestScope, createRootContainer, type RequestScope } from '../di/root-container.js';
import type { UnreelContext } from '../graphql/context.js';
import { createErrorFormatter, formatWebSocketErrors } from '../graphql/format-error.js';
import { createLogger } from '../logging/create-logger.js';
import { engineLogger } from '../logging/engine-logger.js';
import { SecretRegistry } from '../logging/secret-registry.js';
import { loadAccounts } from '../plugins/plugin-loader.js';
import { buildUnreelSubgraphSchema } from '../schema/build-subgraph-schema.js';

export interface UnreelServerOptions {
  /** A config object, or a config file path; absent: UNREEL_CONFIG, ./unreel.config.json, else the embedded default. */
  config?: UnreelConfigInput | string;
  /** 0 for an ephemeral port. Defaults: config.server.port, then 4000. */
  port?: number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logger?: Logger;
  /** Log level when no logger is given; tests pass 'silent'. */
  logLevel?: string;
}

export interface UnreelServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  host: string;
  embeddedDefault: boolean;
  engine: DeletionEngine;
  container: DependencyContainer;
  logger: Logger;
  close(): Promise<void>;
}

/** Starts unreel: Apollo Server over express and graphql-ws on one port, /healthz and /readyz beside them. */
export async function createUnreelServer(options: UnreelServerOptions = {}): Promise<UnreelServer> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const loaded: LoadedConfig =
    typeof options.config === 'object'
      ? { config: parseConfig(options.config, 'given in code'), path: undefined, baseDir: cwd, embeddedDefault: false }
      : loadConfig({ path: options.config, cwd, env });
  const { config } = loaded;
  const secrets = new SecretRegistry();
  const logger = options.logger ?? (options.logLevel === 'silent' ? pino({ level: 'silent' }) : createLogger(secrets, options.logLevel ? { level: options.logLevel } : {}));

  const loadedAccounts = await loadAccounts({ accounts: config.accounts, baseDir: loaded.baseDir, env, logger, secrets });
  const accounts = new AccountRegistry(loadedAccounts.map((entry) => entry.account));
  const store = openJournal(config.journal, loaded.baseDir);
  const bus = new InMemoryEventBus();
  const engine = new DeletionEngine({
    store,
    bus,
    accounts,
    options: { maxIdsPerOperation: config.server.maxIdsPerOperation },
    logger: engineLogger(logger),
  });
  const root = createRootContainer({ config, logger, secrets, accounts, store, bus, engine });
  // The subgraph schema serves both transports: a gateway's `_entities` over HTTP, its subscriptions over graphql-ws.
  const schema = await buildUnreelSubgraphSchema();
  const format = createErrorFormatter(logger, secrets);

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1_048_576 });
  const wsServerCleanup = useWebSocketTransport(wsServer, schema, root, format);

  let draining = false;
  const apollo = new ApolloServer<UnreelContext>({
    schema,
    // Apollo's own notices go through our logger, which redacts secrets.
    logger,
    formatError: format,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Per-field timings for a gateway that asks for them (ftv1); error messages in them are masked, never sent.
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
              await wsServerCleanup.dispose();
            },
          };
        },
      },
      disposeRequestScopes(),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_request, response) => void response.json({ status: 'ok' }));
  app.get('/readyz', (_request, response) => {
    if (draining) response.status(503).json({ status: 'draining' });
    else response.json({ status: 'ready' });
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: async () => scopeContext(createRequestScope(root)) }),
  );

  const host = options.host ?? config.server.host ?? '127.0.0.1';
  const port = await listen(httpServer, options.port ?? config.server.port ?? 4000, host);
  const resumed = await engine.resume();
  if (resumed > 0) logger.info({ resumed }, 'resumed unfinished operations from the journal');
  const retention = scheduleRetention(store, config.journal.retentionDays, logger);
  const shownHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    wsUrl: `ws://${shownHost}:${port}/graphql`,
    port,
    host,
    embeddedDefault: loaded.embeddedDefault,
    engine,
    container: root,
    logger,
    close() {
      closing ??= (async () => {
        draining = true;
        retention.stop();
        await apollo.stop();
        await engine.close();
        await Promise.all(loadedAccounts.map((entry) => entry.account.provider.doClose?.()));
        await store.close();
      })();
      return closing;
    },
  };
}

const scopes = new WeakMap<UnreelContext, RequestScope>();

function scopeContext(scope: RequestScope): UnreelContext {
  scopes.set(scope.context, scope);
  return scope.context;
}

function disposeRequestScopes(): ApolloServerPlugin<UnreelContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue }) {
          await scopes.get(contextValue)?.dispose();
        },
      };
    },
  };
}

function useWebSocketTransport(
  wsServer: WebSocketServer,
  schema: GraphQLSchema,
  root: DependencyContainer,
  format: ReturnType<typeof createErrorFormatter>,
): { dispose: () => void | Promise<void> } {
  const operations = new WeakMap<object, Map<string, RequestScope>>();
  const scopesOf = (ctx: object): Map<string, RequestScope> => {
    let map = operations.get(ctx);
    if (!map) {
      map = new Map();
      operations.set(ctx, map);
    }
    return map;
  };
  return useServer(
    {
      schema,
      context: (ctx, id) => {
        const scope = createRequestScope(root);
        scopesOf(ctx).set(id, scope);
        return scope.context;
      },
      // Parse and validate here, so a malformed document is answered with coded errors instead of closing the socket.
      onSubscribe: (_ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax Error: the document could not be parsed')];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return { schema, document, variableValues: payload.variables ?? null, operationName: payload.operationName ?? null };
      },
      onError: (_ctx, _id, _payload, errors) => formatWebSocketErrors(errors, 'validation', format),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: formatWebSocketErrors(result.errors, 'execution', format) } : result,
      onComplete: async (ctx, id) => {
        const map = scopesOf(ctx);
        await map.get(id)?.dispose();
        map.delete(id);
      },
      onClose: async (ctx) => {
        const map = scopesOf(ctx);
        await Promise.all([...map.values()].map((scope) => scope.dispose()));
        map.clear();
      },
    },
    wsServer,
  );
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
