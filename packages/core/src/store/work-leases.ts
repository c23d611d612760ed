import type { OpenItemRecord, OperationStore } from './operation-store.js';

/** One provider batch of one operation, leased to one worker until `token` is superseded or the lease expires. */
export interface ChunkLease {
  chunkId: string;
  /** The fencing token: a later claim of the same chunk gets a greater one, and only the newest may write. */
  token: string;
  key: string;
  tenant: string;
  operationId: string;
  account: string;
  positions: readonly number[];
  /** The chunk was leased before and that lease had expired: its holder died or stalled. */
  expired: boolean;
}

/** A selection operation's discovery, leased to one replica so that only one lists (see WorkLeases.claimDiscovery). */
export interface DiscoveryLease {
  token: string;
  key: string;
  tenant: string;
  operationId: string;
}

/** The writes a batch runner makes, each refused (LeaseLostError) unless the lease still holds, in the same write. */
export type FencedWrites = Pick<OperationStore, 'markAttempt' | 'clearAmbiguous' | 'recordUpdates' | 'cancelUnsent'>;

/**
 * A journal that hands out its work as leased chunks, for several replicas sharing operations (the cluster mode):
 * chunks are journaled with the items (see NewOperation.chunks), claimed one at a time round-robin across operations,
 * kept alive by renewal while their batch runs, and given back when it ends. Expiry is the journal's clock, never a
 * replica's.
 */
export interface WorkLeases {
  /**
   * The next claimable chunk (open, due, unleased or expired) of the first of these accounts that has one, in the
   * order given (the worker lists first the accounts it holds fewest chunks of); within an account, operations take
   * turns. Null when there is none.
   */
  claimChunk(owner: string, accounts: readonly string[], leaseMs: number): Promise<ChunkLease | null>;
  /** The chunk's items still open. */
  chunkItems(lease: ChunkLease): Promise<OpenItemRecord[]>;
  /** Extends a lease still held; false when it was lost (expired, or claimed by another since). */
  renewLease(lease: ChunkLease, leaseMs: number): Promise<boolean>;
  /**
   * Gives a held chunk back: done when none of its items is open, else claimable again from the earliest next attempt
   * of its items (whenBlocked: WAIT) or at once. False when the lease was lost.
   */
  finishChunk(lease: ChunkLease): Promise<boolean>;
  /**
   * Writes chunks for the open items of running operations that have none (journaled by a replica without `cluster`),
   * by each account's batch size and `deleteDelay` (from the operation's creation); once, whoever asks first.
   * Returns how many chunks it wrote.
   */
  chunkUnchunked(accounts: readonly { account: string; batchSize: number; deleteDelayMs: number }[]): Promise<number>;
  /** Gives back every lease of this owner at once (graceful shutdown); returns how many. */
  releaseLeases(owner: string): Promise<number>;
  fencedWrites(lease: ChunkLease): FencedWrites;
  /** A selection operation still discovering whose discovery nobody holds (or whose lease expired); null if none. */
  claimDiscovery(owner: string, leaseMs: number): Promise<DiscoveryLease | null>;
  renewDiscovery(lease: DiscoveryLease, leaseMs: number): Promise<boolean>;
  /** Gives the discovery lease back (its discovery ended, or this replica stops). */
  releaseDiscovery(lease: DiscoveryLease): Promise<void>;
  /** appendDiscovered, refused (LeaseLostError) unless the discovery lease still holds, in the same write. */
  fencedDiscovery(lease: DiscoveryLease): Pick<OperationStore, 'appendDiscovered'>;
  /**
   * Whether the operation's chunks have all been sent: none is claimable now or leased (those left are done, or wait
   * for a later time). A discovery pass after the first starts only then (see DiscoveryWatch).
   */
  chunksSettled(key: string): Promise<boolean>;
}

/** A write under a lease that no longer holds: it changed nothing. */
export class LeaseLostError extends Error {
  static isInstance(error: unknown): error is LeaseLostError {
    return error instanceof Error && error.name === 'LeaseLostError';
  }

  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}
