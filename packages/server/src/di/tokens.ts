import type { InjectionToken } from 'tsyringe';
import type { AccountRegistry, DeletionEngine, EventBus, OperationStore } from '@unreel/core';
import type { Logger } from 'pino';
import type { UnreelConfig } from '../config/config-schema.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import type { TenantDirectory } from '../auth/tenant-directory.js';
import type { RequestLoaders } from './request-loaders.js';

export const CONFIG: InjectionToken<UnreelConfig> = Symbol('unreel.Config');
/** The root logger; in a request scope, a child carrying the request id and the tenant. */
export const LOGGER: InjectionToken<Logger> = Symbol('unreel.Logger');
export const SECRETS: InjectionToken<SecretRegistry> = Symbol('unreel.Secrets');
/**
 * Every account at the root; in a request scope, only the tenant's. Resolvers inject this, so an account of another
 * tenant is, to them, an account that does not exist.
 */
export const ACCOUNTS: InjectionToken<AccountRegistry> = Symbol('unreel.AccountRegistry');
export const TENANTS: InjectionToken<TenantDirectory> = Symbol('unreel.TenantDirectory');
export const STORE: InjectionToken<OperationStore> = Symbol('unreel.OperationStore');
export const BUS: InjectionToken<EventBus> = Symbol('unreel.EventBus');
export const ENGINE: InjectionToken<DeletionEngine> = Symbol('unreel.DeletionEngine');
/** Request scope: whose request this is. `default` until tenants are configured. */
export const TENANT: InjectionToken<string> = Symbol('unreel.Tenant');
/** Request scope: the request's id (HTTP), or the socket's id and the operation's (WebSocket), in every log line it causes. */
export const REQUEST_ID: InjectionToken<string> = Symbol('unreel.RequestId');
/** Request scope: DataLoaders that batch provider lookups and journal reads within one request. */
export const LOADERS: InjectionToken<RequestLoaders> = Symbol('unreel.RequestLoaders');
