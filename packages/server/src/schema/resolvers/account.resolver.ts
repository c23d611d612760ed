import { Lifecycle, inject, scoped } from 'tsyringe';
import { Query, Resolver } from 'type-graphql';
import type { AccountRegistry } from '@unreel/core';
import { restoreSupport } from '@unreel/provider-spec';
import { ACCOUNTS } from '../../di/tokens.js';
import { Account } from '../types/account.type.js';

@scoped(Lifecycle.ContainerScoped)
@Resolver(() => Account)
export class AccountResolver {
  constructor(@inject(ACCOUNTS) private readonly accounts: AccountRegistry) {}

  @Query(() => [Account], { name: 'accounts', description: 'The configured provider accounts (never their settings).' })
  accountsList(): Account[] {
    return this.accounts.list().map((account) => {
      const { capabilities } = account.provider;
      const restore = restoreSupport(account.provider);
      return {
        name: account.name,
        provider: account.pluginId,
        capabilities: {
          maxBatchSize: capabilities.maxBatchSize,
          restore: restore !== false,
          restoreWindowDays: restore === false ? null : (restore.windowDays ?? null),
          requestsPerSecond: account.limits.requestsPerSecond ?? null,
          deleteDelay: account.deleteDelayMs > 0,
        },
      };
    });
  }
}
