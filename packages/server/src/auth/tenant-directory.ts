import { AccountRegistry } from '@unreel/core';
import { ConfigError } from '../config/config-error.js';
import type { TenantConfig } from '../config/config-schema.js';
import { ApiKeySet } from './api-key-set.js';
import { readApiKey } from './read-api-key.js';

/** Who a request is for when no tenants are configured: everything, unauthenticated, from this machine only. */
const DEFAULT_TENANT = 'default';

export type Authentication = { tenant: string } | { failure: 'missing' | 'invalid' };

/** Tenants, their API keys (hashed) and the accounts each one owns. */
export class TenantDirectory {
  /** False without tenants in the config: every request is the `default` tenant's. */
  readonly enabled: boolean;
  private readonly keys = new ApiKeySet<string>();
  private readonly accountsByTenant = new Map<string, AccountRegistry>();
  /** Account name -> the tenant that owns it. */
  private readonly owners = new Map<string, string>();
  private readonly all: AccountRegistry;

  private constructor(all: AccountRegistry, enabled: boolean) {
    this.all = all;
    this.enabled = enabled;
  }

  /** Interpolates `${ENV}` in the keys, checks them and keeps only their digests. */
  static create(
    tenants: readonly TenantConfig[] | undefined,
    accounts: AccountRegistry,
    env: NodeJS.ProcessEnv,
  ): TenantDirectory {
    const directory = new TenantDirectory(accounts, tenants !== undefined);
    if (!tenants) {
      directory.accountsByTenant.set(DEFAULT_TENANT, accounts);
      return directory;
    }
    tenants.forEach((tenant, index) => {
      const where = `tenants[${index}] "${tenant.name}"`;
      tenant.apiKeys.forEach((raw, position) => {
        const key = readApiKey(raw, env, `${where}: apiKeys[${position}]`);
        const owner = directory.keys.match(key);
        if (owner !== undefined)
          throw new ConfigError(`${where}: apiKeys[${position}]: the same key is already given to tenant "${owner}"`);
        directory.keys.add(key, tenant.name);
      });
      directory.accountsByTenant.set(
        tenant.name,
        new AccountRegistry(tenant.accounts.map((name) => accounts.require(name))),
      );
      for (const name of tenant.accounts) directory.owners.set(name, tenant.name);
    });
    return directory;
  }

  /** The tenant a presented key belongs to; without tenants, always `default`. */
  authenticate(presentedKey: string | undefined): Authentication {
    if (!this.enabled) return { tenant: DEFAULT_TENANT };
    if (presentedKey === undefined || presentedKey === '') return { failure: 'missing' };
    const tenant = this.keys.match(presentedKey);
    return tenant === undefined ? { failure: 'invalid' } : { tenant };
  }

  /** The accounts a tenant sees; an unknown tenant sees none. */
  accountsOf(tenant: string): AccountRegistry {
    return this.accountsByTenant.get(tenant) ?? EMPTY;
  }

  /** The tenant whose operations an account's videos belong to; undefined for an account no tenant owns. */
  ownerOf(account: string): string | undefined {
    if (!this.enabled) return this.all.get(account) ? DEFAULT_TENANT : undefined;
    return this.owners.get(account);
  }

  /** Accounts no tenant owns: unreachable while tenants are configured, worth a warning at start. */
  unownedAccounts(): string[] {
    if (!this.enabled) return [];
    return this.all
      .list()
      .map((account) => account.name)
      .filter((name) => !this.owners.has(name));
  }
}

const EMPTY = new AccountRegistry([]);
