import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type { AccountRegistry, DeletionEngine, EventBus, OperationStore } from '@unreel/core';
import type { Logger } from 'pino';
import type { UnreelConfig } from '../config/config-schema.js';
import type { UnreelContext } from '../graphql/context.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import { RequestLoaders } from './request-loaders.js';
import { ACCOUNTS, BUS, CONFIG, ENGINE, LOADERS, LOGGER, SECRETS, STORE, TENANT } from './tokens.js';

export interface RootServices {
  config: UnreelConfig;
  logger: Logger;
  secrets: SecretRegistry;
  accounts: AccountRegistry;
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
  root.register(STORE, { useValue: services.store });
  root.register(BUS, { useValue: services.bus });
  root.register(ENGINE, { useValue: services.engine });
  return root;
}

export interface RequestScope {
  context: UnreelContext;
  dispose(): Promise<void>;
}

/** A child container per HTTP request and per subscription: its tenant and its DataLoaders, disposed when it ends. */
export function createRequestScope(root: DependencyContainer, tenant = 'default'): RequestScope {
  const child = root.createChildContainer();
  const controller = new AbortController();
  child.register(TENANT, { useValue: tenant });
  child.register(LOADERS, { useValue: new RequestLoaders(root.resolve(ENGINE)) });
  return {
    context: { container: child, signal: controller.signal },
    async dispose() {
      controller.abort();
      await child.dispose();
    },
  };
}
