import type { Logger } from 'pino';
import { AccountRegistry, DeletionEngine, InMemoryEventBus, type Account } from '@unreel/core';
import type { ApiKeySet } from '../auth/api-key-set.js';
import { metricsApiKey } from '../auth/metrics-api-key.js';
import { TenantDirectory } from '../auth/tenant-directory.js';
import { configWithoutKeys } from '../config/config-without-keys.js';
import type { LoadedConfig } from '../config/load-config.js';
import { scheduleRetention } from '../journal/journal-retention.js';
import { openJournal, type JournalDescription } from '../journal/open-journal.js';
import { sandboxBesideJournal } from '../journal/sandbox-beside-journal.js';
import { messageFirstLogger } from '../logging/message-first-logger.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import { UnreelMetrics } from '../metrics/unreel-metrics.js';
import { loadAccounts } from '../plugins/plugin-loader.js';
import { openCluster, type ClusterServices } from './cluster-services.js';
import { RequestScopes } from './request-scopes.js';

/** What the transports and routes are built on. */
export interface UnreelServices {
  accounts: AccountRegistry;
  tenants: TenantDirectory;
  /** The key GET /metrics asks for; undefined when none is configured. */
  metricsKey: ApiKeySet<'metrics'> | undefined;
  engine: DeletionEngine;
  /** Which journal the engine writes, for the start-up line. */
  journal: JournalDescription;
  metrics: UnreelMetrics;
  /** Set with `cluster`: what the replicas share besides the journal. */
  cluster: ClusterServices | undefined;
  /** Opens each HTTP request's and WebSocket operation's scope, from which its resolvers come. */
  scopes: RequestScopes;
  /** Resumes what the journal left unfinished and starts the retention purge; the result stops the purge. */
  start(): Promise<{ stop(): void }>;
  /** Stops the engine, then closes the providers and the journal. */
  close(): Promise<void>;
}

export interface UnreelServicesOptions {
  loaded: LoadedConfig;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  secrets: SecretRegistry;
  /** The clock the engine stamps operations with and the retention purge measures against; default the system's. */
  now?: (() => Date) | undefined;
  /** Start an empty journal even where a marker says one was created before (`unreel --new-journal`). */
  newJournal?: boolean | undefined;
}

/** The composition root: the config's plugins, tenants and journal, the event bus, the engine and its metrics. */
export async function createUnreelServices({
  loaded,
  env,
  logger,
  secrets,
  now = () => new Date(),
  newJournal = false,
}: UnreelServicesOptions): Promise<UnreelServices> {
  const { config } = loaded;
  const { server: settings } = config;
  // The journal first: whether this start created it decides whether the embedded default's sandbox starts afresh.
  const journal = await openJournal(config.journal, loaded.baseDir, { newJournal, secrets });
  const { store, description } = journal;
  let loadedAccounts: Account[];
  try {
    loadedAccounts = await loadAccounts({
      accounts: loaded.embeddedDefault ? sandboxBesideJournal(config.accounts, journal, logger) : config.accounts,
      baseDir: loaded.baseDir,
      env,
      logger,
      secrets,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const closeProviders = async (): Promise<void> => {
    await Promise.all(loadedAccounts.map((account) => account.provider.doClose?.()));
  };
  const accounts = new AccountRegistry(loadedAccounts);
  let tenants: TenantDirectory;
  let metricsKey: ApiKeySet<'metrics'> | undefined;
  let cluster: ClusterServices | undefined;
  const metrics = new UnreelMetrics();
  try {
    tenants = TenantDirectory.create(config.tenants, accounts, env);
    metricsKey = metricsApiKey(settings.metrics.apiKey, env);
    // The construction point of everything replicas share: leases, the admission in Redis and the doorbell bus.
    if (config.cluster) cluster = await openCluster(config.cluster, store, secrets, metrics);
  } catch (error) {
    // The providers and the journal are open already; a refused start must not leave their sockets, timers and
    // file handles behind.
    await closeProviders();
    await store.close();
    throw error;
  }
  if (journal.created && description.driver === 'sqlite') logger.info({ journal: description.path }, 'journal created');
  if (journal.created && description.driver === 'postgres') {
    logger.info({ journal: description.database }, 'journal created');
  }
  // With `cluster`, the bus and the account admission come from the cluster's factory (openCluster).
  const bus = cluster?.bus ?? new InMemoryEventBus();
  const engine = new DeletionEngine({
    store,
    rates: store,
    bus,
    accounts,
    options: {
      maxIdsPerOperation: settings.maxIdsPerOperation,
      maxRunningOperationsPerTenant: settings.maxRunningOperationsPerTenant,
      blockedRetryHorizonMs: config.engine.blockedRetryHorizon,
      selectionPreviewMaxCalls: config.engine.selectionPreviewMaxCalls,
      selectionPreviewMaxMs: config.engine.selectionPreviewTimeout,
      listPageSize: config.engine.listPageSize,
    },
    logger: messageFirstLogger(logger),
    observer: metrics.observer,
    now,
    work: cluster?.work,
    admission: cluster?.admission,
  });
  metrics.watch(engine);
  const scopes = new RequestScopes({ engine, config: configWithoutKeys(config), tenants, logger });
  return {
    accounts,
    tenants,
    metricsKey,
    engine,
    journal:
      description.driver === 'postgres' && config.cluster
        ? { ...description, cluster: config.cluster.worker ? 'worker' : 'api' }
        : description,
    metrics,
    cluster,
    scopes,
    async start() {
      const unowned = tenants.unownedAccounts();
      if (unowned.length > 0) logger.warn({ accounts: unowned }, 'accounts that no tenant owns cannot be reached');
      let resumed: number;
      try {
        resumed = await engine.resume();
      } catch (error) {
        // Reading the open operations is the first read of the whole journal: a damage found here names the file too.
        const where =
          description.driver === 'sqlite'
            ? `Journal ${description.path}`
            : description.driver === 'postgres'
              ? `Journal ${description.database}`
              : 'Journal';
        throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (resumed > 0) logger.info({ resumed }, 'resumed unfinished operations from the journal');
      return scheduleRetention(store, config.journal.retention, logger, now);
    },
    async close() {
      await engine.close();
      await closeProviders();
      await cluster?.close();
      await store.close();
    },
  };
}
