import { TooManyOperationsError } from '../errors/too-many-operations-error.js';

/**
 * maxRunningOperationsPerTenant: per tenant, the operations running plus the submissions between their check and their
 * journal write, so concurrent submissions cannot all slip under the limit.
 */
export class TenantSlots {
  private readonly limit: number;
  private readonly taken = new Map<string, number>();

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Checked and taken in one synchronous step; throws TooManyOperationsError when the tenant has none left. */
  take(tenant: string): void {
    const taken = this.taken.get(tenant) ?? 0;
    if (taken >= this.limit) throw new TooManyOperationsError(this.limit);
    this.taken.set(tenant, taken + 1);
  }

  /** Taken whatever the limit: work accepted before a restart counts against it but is never refused by it. */
  force(tenant: string): void {
    this.taken.set(tenant, (this.taken.get(tenant) ?? 0) + 1);
  }

  release(tenant: string): void {
    const taken = (this.taken.get(tenant) ?? 1) - 1;
    if (taken > 0) this.taken.set(tenant, taken);
    else this.taken.delete(tenant);
  }
}
