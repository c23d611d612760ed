import type { InjectionToken } from 'tsyringe';
import type { AccountRegistry, DeletionEngine } from '@unreel/core';
import type { Logger } from 'pino';
import type { UnreelConfig } from '../config/config-schema.js';

// What resolvers inject. The root container holds the first two, every request's child container the rest.

/** The config without its API keys (those live only as digests, in the tenant directory). */
export const CONFIG: InjectionToken<UnreelConfig> = Symbol('unreel.Config');
export const ENGINE: InjectionToken<DeletionEngine> = Symbol('unreel.DeletionEngine');
/** Whose request this is. `default` until tenants are configured. */
export const TENANT: InjectionToken<string> = Symbol('unreel.Tenant');
/** Only the tenant's accounts, so an account of another tenant is, to a resolver, an account that does not exist. */
export const ACCOUNTS: InjectionToken<AccountRegistry> = Symbol('unreel.AccountRegistry');
/** The server's logger with the request id and the tenant on every line. */
export const LOGGER: InjectionToken<Logger> = Symbol('unreel.Logger');
/** Aborted when the request, or the WebSocket operation, ends: a subscription stops reading the journal then. */
export const SIGNAL: InjectionToken<AbortSignal> = Symbol('unreel.Signal');
