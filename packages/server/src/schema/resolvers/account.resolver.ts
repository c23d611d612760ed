import { Lifecycle, inject, scoped } from 'tsyringe';
import { Query, Resolver } from 'type-graphql';
import type { AccountRegistry, DeletionEngine } from '@unreel/core';
import { restoreSupport } from '@unreel/provider-spec';
import { ACCOUNTS, ENGINE } from '../../di/tokens.js';
import { Account } from '../types/account.type.js';

@scoped(Lifecycle.ContainerScoped)
@Resolver(() => Account)
export class AccountResolver {
  constructor(
    @inject(ACCOUNTS) private readonly accounts: AccountRegistry,
    @inject(ENGINE) private readonly engine: DeletionEngine,
  ) {}

  @Query(() => [Account], { name: 'accounts', description: 'The configured provider accounts (never their settings).' })
  async accountsList(): Promise<Account[]> {
    const rates = await this.engine.currentAccountRates();
    return this.accounts.list().map((account) => {
      const { capabilities } = account.provider;
      const restore = restoreSupport(account.provider);
      const rate = rates.get(account.name);
      return {
        name: account.name,
        provider: account.pluginId,
        capabilities: {
          maxBatchSize: capabilities.maxBatchSize,
          restore: restore !== false,
          restoreWindowDays: restore === false ? null : (restore.windowDays ?? null),
          requestsPerSecond: rate?.requestsPerSecond ?? null,
          configuredRequestsPerSecond: rate?.configuredRequestsPerSecond ?? null,
          deleteDelay: account.deleteDelayMs > 0,
        },
      };
    });
  }
}
