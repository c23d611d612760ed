import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import { pino, type Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { WebSocketServer } from 'ws';
import { AccountRegistry, DeletionEngine, InMemoryEventBus } from '@unreel/core';
import { metricsApiKey } from '../auth/metrics-api-key.js';
import { TenantDirectory } from '../auth/tenant-directory.js';
import { ConfigError } from '../config/config-error.js';
import type { UnreelConfig, UnreelConfigInput } from '../config/config-schema.js';
import { loadConfig, parseConfig, type LoadedConfig } from '../config/load-config.js';
import { createRequestScope, createRootContainer, type RequestScope } from '../di/root-container.js';
import type { UnreelContext } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/format-error.js';
import { documentRules } from '../graphql/query-limits.js';
import { useWebSocketTransport } from '../graphql/websocket-transport.js';
import { scheduleRetention } from '../journal/journal-retention.js';
import { openJournal } from '../journal/open-journal.js';
import { createLogger } from '../logging/create-logger.js';
import { messageFirstLogger } from '../logging/message-first-logger.js';
import { requestLogPlugin } from '../logging/request-log-plugin.js';
import { SecretRegistry } from '../logging/secret-registry.js';
import { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { loadAccounts } from '../plugins/plugin-loader.js';
import { buildUnreelSubgraphSchema } from '../schema/build-subgraph-schema.js';
import { authenticateRequest, type AuthenticatedRequest } from './authenticate-request.js';
import { jsonErrors, notFound } from './json-errors.js';
import { isLoopbackHost } from './loopback.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import { OriginPolicy } from './origin-policy.js';
import { webhookRoute } from './webhook-route.js';

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
  /** Where the JSON log lines go when no logger is given (default stdout); redaction applies as always. */
  logDestination?: NodeJS.WritableStream;
}

export interface UnreelServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  host: string;
  embeddedDefault: boolean;
  /** Tenants are configured: every request needs an API key. */
  authenticated: boolean;
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
  const { server: settings } = config;
  const secrets = new SecretRegistry();
  const logger =
    options.logger ??
    (options.logLevel === 'silent'
      ? pino({ level: 'silent' })
      : createLogger(secrets, { ...(options.logLevel ? { level: options.logLevel } : {}), ...(options.logDestination ? { destination: options.logDestination } : {}) }));

  const host = options.host ?? settings.host ?? '127.0.0.1';
  if (!config.tenants && !isLoopbackHost(host)) {
    throw new ConfigError(
      `server.host "${host}" is reachable from other machines, but no "tenants" are configured, so no request would be authenticated: configure tenants with API keys, or bind to 127.0.0.1`,
    );
  }
  const loadedAccounts = await loadAccounts({ accounts: config.accounts, baseDir: loaded.baseDir, env, logger, secrets });
  const accounts = new AccountRegistry(loadedAccounts);
  let tenants: TenantDirectory;
  let metricsKey: ReturnType<typeof metricsApiKey>;
  try {
    tenants = TenantDirectory.create(config.tenants, accounts, env);
    metricsKey = metricsApiKey(settings.metrics.apiKey, env);
  } catch (error) {
    // The providers exist already; a refused start must not leave their sockets and timers behind.
    await Promise.all(loadedAccounts.map((account) => account.provider.doClose?.()));
    throw error;
  }
  const store = openJournal(config.journal, loaded.baseDir);
  const bus = new InMemoryEventBus();
  const metrics = new UnreelMetrics();
  const engine = new DeletionEngine({
    store,
    bus,
    accounts,
    options: { maxIdsPerOperation: settings.maxIdsPerOperation, maxRunningOperationsPerTenant: settings.maxRunningOperationsPerTenant },
    logger: messageFirstLogger(logger),
    observer: metrics.observer,
  });
  metrics.watch(engine);
  const root = createRootContainer({ config: withoutKeys(config), logger, secrets, accounts, tenants, store, bus, engine });
  // The subgraph schema serves both transports: a gateway's `_entities` over HTTP, its subscriptions over graphql-ws.
  const schema = await buildUnreelSubgraphSchema();
  const introspection = settings.introspection ?? env.NODE_ENV !== 'production';
  const rules = documentRules(settings.queryLimits, { introspection });
  const format = createErrorFormatter(logger, secrets, { hideSchemaDetails: !introspection });
  const origins = new OriginPolicy(settings.allowedOrigins);

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: settings.maxBodyBytes,
    verifyClient: ({ origin, req }, done) => {
      // `ws` reports a missing Origin as undefined or, from some clients, an empty string: both mean "not a browser".
      if (origins.allows(origin || undefined, req.headers.host)) return done(true);
      logger.warn({ origin: String(origin).slice(0, 200) }, 'websocket refused: origin not allowed');
      done(false, 403, 'Origin not allowed');
    },
  });
  const wsServerCleanup = useWebSocketTransport({
    wsServer,
    schema,
    root,
    format,
    rules,
    tenants,
    metrics,
    logger,
    maxSubscriptionsPerSocket: settings.maxSubscriptionsPerSocket,
  });

  let draining = false;
  const apollo = new ApolloServer<UnreelContext>({
    schema,
    // Apollo's own notices go through our logger, which redacts secrets.
    logger,
    formatError: format,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Introspection is refused by our own validation rule (rules.validationRules), the same one the WebSocket uses.
    introspection: true,
    hideSchemaDetailsFromClientErrors: !introspection,
    validationRules: rules.validationRules,
    parseOptions: rules.parseOptions,
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
      requestLogPlugin(),
      disposeRequestScopes(),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_request, response) => void response.json({ status: 'ok' }));
  app.get('/readyz', (_request, response) => {
    if (draining) response.status(503).json({ status: 'draining' });
    else response.json({ status: 'ready' });
  });
  if (settings.metrics.enabled) app.get('/metrics', metricsEndpoint(metrics, metricsKey));
  app.use(webhookRoute({ accounts, tenants, engine, logger, metrics, maxBodyBytes: settings.maxBodyBytes }));
  const corsOrigins = origins.corsOrigins();
  if (corsOrigins) {
    app.use(
      '/graphql',
      cors({ origin: corsOrigins, methods: ['GET', 'POST'], allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'], exposedHeaders: ['x-request-id'], maxAge: 600 }),
    );
  }
  app.use(
    '/graphql',
    authenticateRequest(tenants, metrics, logger),
    express.json({ limit: settings.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const { tenant, requestId } = (res.locals as { unreel: AuthenticatedRequest }).unreel;
        return scopeContext(createRequestScope(root, tenant, requestId));
      },
    }),
  );
  app.use(notFound());
  app.use(jsonErrors(logger, settings.maxBodyBytes));

  const port = await listen(httpServer, options.port ?? settings.port ?? 4000, host);
  const unowned = tenants.unownedAccounts();
  if (unowned.length > 0) logger.warn({ accounts: unowned }, 'accounts that no tenant owns cannot be reached');
  const resumed = await engine.resume();
  if (resumed > 0) logger.info({ resumed }, 'resumed unfinished operations from the journal');
  const retention = scheduleRetention(store, config.journal.retention, logger);
  const shownHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    wsUrl: `ws://${shownHost}:${port}/graphql`,
    port,
    host,
    embeddedDefault: loaded.embeddedDefault,
    authenticated: tenants.enabled,
    engine,
    container: root,
    logger,
    close() {
      closing ??= (async () => {
        draining = true;
        retention.stop();
        await apollo.stop();
        await engine.close();
        await Promise.all(loadedAccounts.map((account) => account.provider.doClose?.()));
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

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The config as the rest of the server sees it: API keys live only as digests, in the tenant directory. */
function withoutKeys(config: UnreelConfig): UnreelConfig {
  return {
    ...config,
    server: { ...config.server, metrics: { enabled: config.server.metrics.enabled } },
    ...(config.tenants ? { tenants: config.tenants.map((tenant) => ({ ...tenant, apiKeys: tenant.apiKeys.map(() => '[hashed]') })) } : {}),
  };
}
