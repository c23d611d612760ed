/**
 * How a lease-handing journal cuts one account's items into chunks (see WorkLeases): the provider's batch size, and
 * the time before which none is claimed (`deleteDelay`'s due time; null: at once).
 */
export interface ChunkPlan {
  batchSize: number;
  notBefore: Date | null;
}

/** Per account name. Journals that hand out no leases ignore it. */
export type ChunkPlans = Readonly<Record<string, ChunkPlan>>;
