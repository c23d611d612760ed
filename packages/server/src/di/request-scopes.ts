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
  /** The client went away before its answer: aborts the request's signal, so what works for it stops early. */
  abort(): void;
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
    const scope = new LazyRequestScope(child, this.logger, { requestId, tenant });
    child.register(TENANT, { useValue: tenant });
    child.register(ACCOUNTS, { useValue: this.tenants.accountsOf(tenant) });
    child.register(LOGGER, { useFactory: () => scope.logger() });
    child.register(SIGNAL, { useFactory: () => scope.signal() });
    return scope;
  }
}

/** The scope a context belongs to, in any copy Apollo made of it; undefined for a context not made here. */
export function scopeOf(context: UnreelContext): RequestScope | undefined {
  return context instanceof RequestContext ? context.scope : undefined;
}

/**
 * The request's logger and signal are made when first asked for: most queries use neither (a `{ video }` only logs
 * its one request line), and aborting an AbortController builds a DOMException with its stack trace, about 10 µs a
 * request.
 */
class LazyRequestScope implements RequestScope {
  readonly context: UnreelContext = new RequestContext(this);
  private made: Logger | undefined;
  private controller: AbortController | undefined;

  constructor(
    readonly container: DependencyContainer,
    private readonly root: Logger,
    private readonly bindings: { requestId: string; tenant: string },
  ) {}

  logger(): Logger {
    return (this.made ??= this.root.child(this.bindings));
  }

  info(fields: Record<string, unknown>, message: string): void {
    if (this.made) this.made.info(fields, message);
    // pino writes a child's bindings right after the root's and before the line's own fields: the same line.
    else this.root.info({ ...this.bindings, ...fields }, message);
  }

  signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  abort(): void {
    this.controller?.abort();
  }

  async dispose(): Promise<void> {
    // Nobody holds a signal that was never asked for, so there is nothing to abort.
    this.controller?.abort();
    await this.container.dispose();
  }
}

/**
 * A request's context. Apollo hands resolvers and plugins a shallow copy of the context it is given (its cloneObject:
 * the own properties, onto an object of the same prototype), so the only own property is the scope, which every copy
 * shares, and the rest is on the prototype: nothing lazy is made by the copying.
 */
class RequestContext implements UnreelContext {
  constructor(readonly scope: LazyRequestScope) {}

  get logger(): Logger {
    return this.scope.logger();
  }

  info(fields: Record<string, unknown>, message: string): void {
    this.scope.info(fields, message);
  }

  // `any[]` as in UnreelContext: a resolver's constructor parameters are the container's business.
  resolve<Resolver>(resolverClass: new (...args: any[]) => Resolver): Resolver {
    return this.scope.container.resolve(resolverClass);
  }
}
