import 'reflect-metadata';
import { createServer } from 'node:http';
import express from 'express';
import type { Logger } from 'pino';
import type { DeletionEngine } from '@unreel/core';
import type { UnreelConfigInput } from './config/config-schema.js';
import { resolveConfig } from './config/load-config.js';
import { createUnreelServices } from './di/unreel-services.js';
import type { JournalDescription } from './journal/open-journal.js';
import { startApolloServer } from './graphql/apollo-server.js';
import { createGraphqlRuntime } from './graphql/graphql-runtime.js';
import { HttpRequestScopes } from './graphql/http-request-scopes.js';
import { createWebSocketServer } from './graphql/websocket-server.js';
import { useWebSocketTransport } from './graphql/websocket-transport.js';
import { graphqlUrls, listen } from './http/listen.js';
import { requireLoopbackWithoutTenants } from './http/loopback.js';
import { HostPolicy } from './http/host-policy.js';
import { OriginPolicy } from './http/origin-policy.js';
import { GraphqlEndpoint } from './http/graphql-endpoint.js';
import { mountUnreelRoutes } from './http/unreel-routes.js';
import { createLogger } from './logging/create-logger.js';
import { InvalidRequestLog } from './logging/invalid-request-log.js';
import { SecretRegistry } from './logging/secret-registry.js';

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
  /** The clock operations are stamped with and the journal retention measures against; tests pass one they move. */
  now?: () => Date;
  /**
   * Start an empty journal even where the marker beside the configured journal file says one was created before and
   * the file is gone (the `--new-journal` flag). Without it such a start is refused, so nothing is lost silently.
   */
  newJournal?: boolean;
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
  /** The journal's driver and, for SQLite, its absolute path. */
  journal: JournalDescription;
  logger: Logger;
  close(): Promise<void>;
}

/** Starts unreel: Apollo Server over express and graphql-ws on one port, /healthz and /readyz beside them. */
export async function createUnreelServer(options: UnreelServerOptions = {}): Promise<UnreelServer> {
  const env = options.env ?? process.env;
  const loaded = resolveConfig(options.config, { cwd: options.cwd ?? process.cwd(), env });
  const { server: settings } = loaded.config;
  const secrets = new SecretRegistry();
  const logger =
    options.logger ?? createLogger(secrets, { level: options.logLevel, destination: options.logDestination });
  const host = options.host ?? settings.host ?? '127.0.0.1';
  const tenantsConfigured = loaded.config.tenants !== undefined;
  requireLoopbackWithoutTenants(host, tenantsConfigured);

  const services = await createUnreelServices({
    loaded,
    env,
    logger,
    secrets,
    now: options.now,
    newJournal: options.newJournal,
  });
  const graphql = await createGraphqlRuntime(settings, env, logger, secrets);
  // Without tenants nothing is authenticated and the server is this machine's alone: its browsers' pages may call
  // it, and the Host check keeps other sites' pages (DNS rebinding) out. With tenants both are what is configured.
  const origins = new OriginPolicy(settings.allowedOrigins, !tenantsConfigured);
  const hosts = new HostPolicy(settings.allowedHosts, !tenantsConfigured || settings.allowedHosts.length > 0);
  const invalidRequests = new InvalidRequestLog(logger);
  const app = express();
  let graphqlEndpoint: GraphqlEndpoint | undefined;
  // GraphQL requests skip express (see GraphqlEndpoint); whatever the endpoint does not take goes on to it.
  const httpServer = createServer((request, response) => {
    if (graphqlEndpoint?.serve(request, response) !== true) app(request, response);
  });
  const websocket = useWebSocketTransport({
    wsServer: createWebSocketServer(httpServer, { origins, hosts, maxPayload: settings.maxBodyBytes, logger }),
    graphql,
    scopes: services.scopes,
    engine: services.engine,
    tenants: services.tenants,
    metrics: services.metrics,
    logger,
    maxSubscriptionsPerSocket: settings.maxSubscriptionsPerSocket,
    maxSocketsPerTenant: settings.maxSocketsPerTenant,
    socketBuffer: { maxBufferedBytes: settings.maxSocketBufferBytes, slowCloseMs: settings.slowSocketCloseMs },
  });
  const scopes = new HttpRequestScopes(services.scopes);
  const apollo = await startApolloServer({ graphql, logger, httpServer, websocket, scopes });
  graphqlEndpoint = new GraphqlEndpoint({
    apollo,
    scopes,
    invalidRequests,
    origins,
    hosts,
    tenants: services.tenants,
    metrics: services.metrics,
    logger,
    maxBodyBytes: settings.maxBodyBytes,
  });
  let draining = false;
  mountUnreelRoutes(app, {
    graphql: graphqlEndpoint,
    services,
    settings,
    origins,
    hosts,
    graphiql: graphql.introspection,
    logger,
    isDraining: () => draining,
  });

  let port: number;
  try {
    port = await listen(httpServer, options.port ?? settings.port ?? 4000, host);
  } catch (error) {
    // A taken port is an ordinary refusal to start: close what is open (Apollo and the sockets, the providers, the
    // journal) so that whoever started us can go on, or exit, cleanly.
    await apollo.stop();
    await services.close();
    throw error;
  }
  let retention: { stop(): void };
  try {
    retention = await services.start();
  } catch (error) {
    await apollo.stop();
    await services.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    ...graphqlUrls(host, port),
    port,
    host,
    embeddedDefault: loaded.embeddedDefault,
    authenticated: services.tenants.enabled,
    engine: services.engine,
    journal: services.journal,
    logger,
    close() {
      closing ??= (async () => {
        draining = true;
        retention.stop();
        await apollo.stop();
        await services.close();
      })();
      return closing;
    },
  };
}
