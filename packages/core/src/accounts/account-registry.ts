import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { Account } from './account.js';

export class AccountRegistry {
  private readonly accounts: ReadonlyMap<string, Account>;

  constructor(accounts: readonly Account[]) {
    const map = new Map<string, Account>();
    for (const account of accounts) {
      if (map.has(account.name)) throw new Error(`Account "${account.name}" is configured twice`);
      map.set(account.name, account);
    }
    this.accounts = map;
  }

  get(name: string): Account | undefined {
    return this.accounts.get(name);
  }

  /** `field` names the input the account came from, for the error a client sees. */
  require(name: string, field = 'ids'): Account {
    const account = this.accounts.get(name);
    if (!account) throw new InvalidInputError(`Unknown account "${name}"`, field);
    return account;
  }

  list(): Account[] {
    return [...this.accounts.values()];
  }
}
