import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type { AccountRegistry, DeletionEngine, EventBus, OperationStore } from '@unreel/core';
import type { Logger } from 'pino';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { UnreelConfig } from '../config/config-schema.js';
import type { UnreelContext } from '../graphql/context.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import { RequestLoaders } from './request-loaders.js';
import {
  ACCOUNTS,
  BUS,
  CONFIG,
  ENGINE,
  LOADERS,
  LOGGER,
  REQUEST_ID,
  SECRETS,
  STORE,
  TENANT,
  TENANTS,
} from './tokens.js';

export interface RootServices {
  config: UnreelConfig;
  logger: Logger;
  secrets: SecretRegistry;
  accounts: AccountRegistry;
  tenants: TenantDirectory;
  store: OperationStore;
  bus: EventBus;
  engine: DeletionEngine;
}

/** One root per server (not tsyringe's global), so several servers can live in one process, as tests do. */
export function createRootContainer(services: RootServices): DependencyContainer {
  const root = globalContainer.createChildContainer();
  root.register(CONFIG, { useValue: services.config });
  root.register(LOGGER, { useValue: services.logger });
  root.register(SECRETS, { useValue: services.secrets });
  root.register(ACCOUNTS, { useValue: services.accounts });
  root.register(TENANTS, { useValue: services.tenants });
  root.register(STORE, { useValue: services.store });
  root.register(BUS, { useValue: services.bus });
  root.register(ENGINE, { useValue: services.engine });
  return root;
}

export interface RequestScope {
  context: UnreelContext;
  dispose(): Promise<void>;
}

/**
 * A child container per HTTP request and per WebSocket operation (a subscription's lives as long as it does): its
 * tenant, the tenant's accounts in place of all of them, a logger that names both, and its DataLoaders; disposed
 * when it ends.
 */
export function createRequestScope(root: DependencyContainer, tenant: string, requestId: string): RequestScope {
  const child = root.createChildContainer();
  const controller = new AbortController();
  const accounts = root.resolve<TenantDirectory>(TENANTS).accountsOf(tenant);
  child.register(TENANT, { useValue: tenant });
  child.register(REQUEST_ID, { useValue: requestId });
  child.register(ACCOUNTS, { useValue: accounts });
  child.register(LOGGER, { useValue: root.resolve<Logger>(LOGGER).child({ requestId, tenant }) });
  child.register(LOADERS, { useValue: new RequestLoaders(root.resolve(ENGINE), tenant, accounts) });
  return {
    context: { container: child, signal: controller.signal },
    async dispose() {
      controller.abort();
      await child.dispose();
    },
  };
}
