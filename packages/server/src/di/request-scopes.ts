import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type { DeletionEngine } from '@unreel/core';
import type { Logger } from 'pino';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { UnreelConfig } from '../config/config-schema.js';
import type { UnreelContext } from '../graphql/context.js';
import { ACCOUNTS, CONFIG, ENGINE, LOGGER, SIGNAL, TENANT } from './tokens.js';

export interface RequestScope {
  readonly context: UnreelContext;
  /** Aborts the request's signal and disposes its container; call it once the request, or operation, has ended. */
  dispose(): Promise<void>;
}

interface SharedServices {
  engine: DeletionEngine;
  /** Without API keys: see configWithoutKeys. */
  config: UnreelConfig;
  tenants: TenantDirectory;
  logger: Logger;
}

/**
 * The server's tsyringe containers, and the only code that registers or resolves anything in them: a root holding
 * what every request shares (a child of tsyringe's global, where `@scoped` puts the resolver classes and the
 * DataLoaders, so several servers can live in one process, as tests do), and a child per HTTP request and per
 * WebSocket operation (a subscription's lives as long as it does) holding whose request it is. Each request builds
 * its resolvers from its child, their services injected through their constructors.
 */
export class RequestScopes {
  private readonly root: DependencyContainer = globalContainer.createChildContainer();
  private readonly tenants: TenantDirectory;
  private readonly logger: Logger;

  constructor({ engine, config, tenants, logger }: SharedServices) {
    this.root.register(ENGINE, { useValue: engine });
    this.root.register(CONFIG, { useValue: config });
    this.tenants = tenants;
    this.logger = logger;
  }

  /** `requestId` is the HTTP request's id, or the socket's and the operation's, as every log line it causes shows. */
  open(tenant: string, requestId: string): RequestScope {
    const child = this.root.createChildContainer();
    const controller = new AbortController();
    const logger = this.logger.child({ requestId, tenant });
    child.register(TENANT, { useValue: tenant });
    child.register(ACCOUNTS, { useValue: this.tenants.accountsOf(tenant) });
    child.register(LOGGER, { useValue: logger });
    child.register(SIGNAL, { useValue: controller.signal });
    return {
      context: { logger, resolve: (resolverClass) => child.resolve(resolverClass) },
      async dispose() {
        controller.abort();
        await child.dispose();
      },
    };
  }
}
